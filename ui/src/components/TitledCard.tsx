import { Card, Space } from "antd";
import type { CardProps } from "antd";
import type { ReactNode } from "react";

type Props = Omit<CardProps, "title" | "variant"> & {
  icon: ReactNode;
  title: ReactNode;
  testId: string;
};

/** A settings card under its icon and title. */
export function TitledCard({ icon, title, testId, ...props }: Props) {
  return (
    <Card
      variant="outlined"
      data-testid={testId}
      title={
        <Space>
          {icon}
          {title}
        </Space>
      }
      {...props}
    />
  );
}
