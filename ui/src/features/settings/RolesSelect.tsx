import { Select, Typography } from "antd";
import type { SelectProps } from "antd";
import { useTranslation } from "react-i18next";

import { SUPER_ADMIN, useIsSuperAdmin } from "../members/status";
import { useRoles } from "./queries";

/**
 * The organization's roles as a Select's options, for the signed-in admin: one who is not a
 * Super Admin sees the Super Admin role greyed out, saying why in the list (they can neither
 * give it nor take it away; a member who holds it keeps its tag, with its plain name).
 */
export function useRoleChoices() {
  const { t } = useTranslation();
  const roles = useRoles();
  const mayGrantSuperAdmin = useIsSuperAdmin();
  const options = (roles.data ?? []).map((r) => ({
    value: r.id,
    label: r.name,
    title: r.name,
    disabled: r.builtin && r.name === SUPER_ADMIN && !mayGrantSuperAdmin,
  }));
  const optionRender: NonNullable<SelectProps["optionRender"]> = (o) =>
    o.data.disabled ? (
      <span>
        {o.label} <Typography.Text type="secondary">({t("roles.superAdminOnly")})</Typography.Text>
      </span>
    ) : (
      o.label
    );
  return { roles, options, optionRender };
}

/** Roles picked by name, several at once (see [`useRoleChoices`]). The other props are Ant Design's Select's. */
export function RolesSelect(props: SelectProps<number[]>) {
  const { roles, options, optionRender } = useRoleChoices();
  return (
    <Select<number[]>
      mode="multiple"
      // Typing finds roles by name (the default would match the hidden ids).
      showSearch={{ optionFilterProp: "label" }}
      options={options}
      optionRender={optionRender}
      loading={roles.isPending}
      {...props}
    />
  );
}
