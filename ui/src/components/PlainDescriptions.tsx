import useDescriptionsStyle from "antd/es/descriptions/style";
import type { CSSProperties, ReactNode } from "react";

/** One line of a {@link PlainDescriptions}. */
export type PlainItem = { key: string; label: ReactNode; children: ReactNode };

type Props = {
  items: PlainItem[];
  /** The labels' column width (px). */
  labelWidth?: number;
  testId?: string;
};

/**
 * A one-column field list drawn as Ant Design's small, borderless Descriptions draws it — its
 * markup and class names, registered through its own style hook, so its stylesheet and theme
 * give the same look — without its per-cell components: a line is plain elements. Used for
 * a member's details (which fill again for every record shown), the join link and an
 * enrollment code.
 */
export function PlainDescriptions({ items, labelWidth, testId }: Props) {
  const [hashId, cssVar] = useDescriptionsStyle("ant-descriptions");
  const labelStyle: CSSProperties | undefined = labelWidth === undefined ? undefined : { width: labelWidth };
  return (
    <div className={`ant-descriptions ant-descriptions-small ${hashId} ${cssVar}`} data-testid={testId}>
      <div className="ant-descriptions-view">
        <table>
          <tbody>
            {items.map((item) => (
              <tr key={item.key} className="ant-descriptions-row">
                <td className="ant-descriptions-item" colSpan={1}>
                  <div className="ant-descriptions-item-container">
                    <span className="ant-descriptions-item-label" style={labelStyle}>
                      {item.label}
                    </span>
                    <span className="ant-descriptions-item-content">{item.children}</span>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
