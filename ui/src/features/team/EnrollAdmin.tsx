import { App as AntApp, Button, Select, Space } from "antd";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import type { MemberQuery } from "../../bindings/MemberQuery";
import type { TeamEnrollment } from "../../bindings/TeamEnrollment";
import { errorText } from "../../errors";
import { useMemberPage } from "../members/queries";
import { SUPER_ADMIN } from "../members/status";
import { EnrollDialog } from "./EnrollDialog";
import { useEnrollAdmin } from "./queries";

/** The roles whose holders may enroll a computer in the team (the rank rule's names). */
const ADMIN_ROLES = [SUPER_ADMIN, "Admin"];

/** "Enroll an admin": pick an enabled member who holds an admin role, then the code's dialog. */
export function EnrollAdmin() {
  const { t } = useTranslation();
  const { message } = AntApp.useApp();
  const [search, setSearch] = useState("");
  const [picked, setPicked] = useState<number | null>(null);
  const [enrollment, setEnrollment] = useState<TeamEnrollment | null>(null);
  const query: MemberQuery = {
    departmentId: null,
    includeSubDepartments: true,
    status: "enabled",
    search: search.trim() === "" ? null : search.trim(),
    offset: 0,
    limit: 200,
  };
  const members = useMemberPage(query, { keepPrevious: true });
  const admins = (members.data?.rows ?? []).filter((m) => m.roles.some((r) => ADMIN_ROLES.includes(r)));
  const enroll = useEnrollAdmin({
    onSuccess: (made) => setEnrollment(made),
    onError: (e) => void message.error(e.message || errorText(t, e)),
  });
  return (
    <>
      <Space wrap>
        <Select<number>
          showSearch={{ filterOption: false, onSearch: setSearch }}
          value={picked ?? undefined}
          onChange={setPicked}
          placeholder={t("team.enroll.pick")}
          loading={members.isFetching}
          style={{ width: 280 }}
          data-testid="team-enroll-member"
          notFoundContent={t("team.enroll.noAdmins")}
          options={admins.map((m) => ({ value: m.id, label: m.username ? `${m.name} (${m.username})` : m.name }))}
        />
        <Button
          type="primary"
          disabled={picked === null}
          loading={enroll.isPending}
          onClick={() => picked !== null && enroll.mutate(picked)}
          data-testid="team-enroll"
        >
          {t("team.enroll.button")}
        </Button>
      </Space>
      {enrollment && <EnrollDialog enrollment={enrollment} onClose={() => setEnrollment(null)} />}
    </>
  );
}
