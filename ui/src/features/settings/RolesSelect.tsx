import { Select, Typography } from "antd";
import type { SelectProps } from "antd";
import { useTranslation } from "react-i18next";

import { SUPER_ADMIN, useIsSuperAdmin } from "../members/status";
import { useRoles } from "./queries";

/**
 * Roles picked by name, several at once, from the organization's roles. The other props are Ant
 * Design's Select's. An admin who is not a Super Admin sees the Super Admin role greyed out, with
 * why: they can neither give it nor take it away (a member who holds it keeps its tag).
 */
export function RolesSelect(props: SelectProps<number[]>) {
  const { t } = useTranslation();
  const roles = useRoles();
  const mayGrantSuperAdmin = useIsSuperAdmin();
  return (
    <Select<number[]>
      mode="multiple"
      // Typing finds roles by name (the default would match the hidden ids).
      showSearch={{ optionFilterProp: "label" }}
      options={(roles.data ?? []).map((r) => {
        const locked = r.builtin && r.name === SUPER_ADMIN && !mayGrantSuperAdmin;
        return { value: r.id, label: r.name, disabled: locked };
      })}
      // In the list, the greyed-out role says why; its tag keeps the plain name.
      optionRender={(o) =>
        o.data.disabled ? (
          <span>
            {o.label} <Typography.Text type="secondary">({t("roles.superAdminOnly")})</Typography.Text>
          </span>
        ) : (
          o.label
        )
      }
      loading={roles.isPending}
      {...props}
    />
  );
}
