import { Select } from "antd";
import type { SelectProps } from "antd";

import { useRoles } from "./queries";

/** Roles picked by name, several at once, from the organization's roles. The other props are Ant Design's Select's. */
export function RolesSelect(props: SelectProps<number[]>) {
  const roles = useRoles();
  return (
    <Select<number[]>
      mode="multiple"
      // Typing finds roles by name (the default would match the hidden ids).
      showSearch={{ optionFilterProp: "label" }}
      options={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
      loading={roles.isPending}
      {...props}
    />
  );
}
