import { Descriptions, type DescriptionsProps } from "antd";

/** A label-and-value list of the team cards (this computer, its gateway …), one per line. */
export function TeamFacts({ items, testId }: { items: DescriptionsProps["items"]; testId?: string }) {
  return <Descriptions column={1} size="small" styles={{ label: { width: 160 } }} items={items} data-testid={testId} />;
}
