import useButtonStyle from "antd/es/button/style";
import type { MouseEventHandler, ReactNode } from "react";

type Props = {
  children: ReactNode;
  onClick?: MouseEventHandler<HTMLButtonElement>;
  danger?: boolean;
  disabled?: boolean;
  testId?: string;
};

/**
 * A small link button in a row of a list, drawn as Ant Design draws `<Button type="link"
 * size="small">` — its element, class names and style hook, so the same rules apply — without
 * its components (the loading icon's motion, the compact-space and two-character checks and
 * their effects after every render). A list of fifty invitations has a hundred and fifty of them.
 */
export function RowLinkButton({ children, onClick, danger, disabled, testId }: Props) {
  const [hashId, cssVar] = useButtonStyle("ant-btn");
  const color = danger ? "ant-btn-dangerous ant-btn-color-dangerous" : "ant-btn-color-link";
  return (
    <button
      type="button"
      className={`ant-btn ${hashId} ${cssVar} ant-btn-link ${color} ant-btn-variant-link ant-btn-sm`}
      onClick={onClick}
      disabled={disabled}
      data-testid={testId}
    >
      <span>{children}</span>
    </button>
  );
}
