import useTypographyStyle from "antd/es/typography/style";
import type { CSSProperties, ReactNode } from "react";

type Props = {
  children: ReactNode;
  /** Ant Design's `type="secondary"`. */
  secondary?: boolean;
  /** Ant Design's `type="warning"`. */
  warning?: boolean;
  strong?: boolean;
  /** A heading (`Typography.Title level={4}`) rather than a run of text. */
  heading?: boolean;
  className?: string;
  title?: string;
  style?: CSSProperties;
  testId?: string;
};

/**
 * Text drawn as Ant Design's Typography draws a `Text` (or a level-4 `Title`) — its element,
 * class names and style hook, so the same rules apply — without its components (the ellipsis
 * tooltip and measure, the resize observer) for text that is only shown: a heading, a label,
 * a count in the window's first picture, the cells of a list. A one-line cut comes from `ONE_LINE` (text.ts).
 */
export function PlainText({ children, secondary, warning, strong, heading, className, title, style, testId }: Props) {
  const [hashId, cssVar] = useTypographyStyle("ant-typography");
  const tone = secondary ? " ant-typography-secondary" : warning ? " ant-typography-warning" : "";
  const classes = `ant-typography${tone}${className ? ` ${className}` : ""} ${hashId} ${cssVar}`;
  const content = strong ? <strong>{children}</strong> : children;
  const Tag = heading ? "h4" : "span";
  return (
    <Tag className={classes} title={title} style={style} data-testid={testId}>
      {content}
    </Tag>
  );
}
