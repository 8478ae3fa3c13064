import { DownOutlined, QuestionCircleOutlined, UserAddOutlined, UserDeleteOutlined } from "@ant-design/icons";
import { Button, Tooltip } from "antd";
import type { InputRef, MenuProps } from "antd";
import { memo, useMemo, type RefObject } from "react";
import { useTranslation } from "react-i18next";

import type { MemberQuery } from "../../bindings/MemberQuery";
import { LazyDropdown } from "../../components/LazyDropdown";
import { ExportListButton } from "../spreadsheets/ExportListButton";
import { MemberSearchBox } from "./MemberSearchBox";

const ShortcutHelp = memo(function ShortcutHelp() {
  const { t } = useTranslation();
  const rows: [string, string][] = [
    ["E", t("shortcuts.open")],
    ["/  Ctrl+K", t("shortcuts.search")],
    ["N", t("shortcuts.add")],
    ["Delete", t("shortcuts.remove")],
    ["↑ ↓ ← →", t("shortcuts.tree")],
  ];
  return (
    <Tooltip
      placement="bottomRight"
      title={
        <div data-testid="shortcut-help">
          <div style={{ fontWeight: 600, marginBottom: 4 }}>{t("shortcuts.title")}</div>
          {rows.map(([k, v]) => (
            <div key={k} style={{ display: "flex", gap: 12, justifyContent: "space-between" }}>
              <span>{v}</span>
              <kbd className="orgdesk-kbd">{k}</kbd>
            </div>
          ))}
        </div>
      }
    >
      <Button type="text" icon={<QuestionCircleOutlined />} aria-label={t("shortcuts.title")} data-testid="shortcuts" />
    </Tooltip>
  );
});

const AddMemberButton = memo(function AddMemberButton({ onPassword, onInvite }: { onPassword: () => void; onInvite: () => void }) {
  const { t } = useTranslation();
  const menu: MenuProps = useMemo(
    () => ({
      items: [
        { key: "password", label: <span data-testid="member-add-password">{t("members.addPassword")}</span> },
        { key: "invite", label: <span data-testid="member-add-invite">{t("members.addInvite")}</span> },
      ],
      onClick: ({ key }) => (key === "password" ? onPassword() : onInvite()),
    }),
    [t, onPassword, onInvite],
  );
  return (
    <LazyDropdown menu={menu}>
      <Button type="primary" icon={<UserAddOutlined />} data-testid="member-add">
        {t("members.add")} <DownOutlined style={{ fontSize: 10 }} />
      </Button>
    </LazyDropdown>
  );
});

type Props = {
  /** The search box's key: a new one empties it. */
  searchBox: number;
  onSearch: (text: string) => void;
  searchRef: RefObject<InputRef | null>;
  onFormer: () => void;
  /** The list as shown, for "Export list". */
  query: MemberQuery;
  total: number;
  onAddPassword: () => void;
  onAddInvite: () => void;
};

/**
 * Above the member list: the search box, former members, export, add and the shortcuts. Its
 * props other than `query` and `total` keep their identity: a settled search renders it again
 * (for the export), the search box, the add button and the help not.
 */
export const DirectoryToolbar = memo(function DirectoryToolbar({
  searchBox,
  onSearch,
  searchRef,
  onFormer,
  query,
  total,
  onAddPassword,
  onAddInvite,
}: Props) {
  const { t } = useTranslation();
  return (
    <div className="orgdesk-toolbar">
      <MemberSearchBox key={searchBox} onSearch={onSearch} inputRef={searchRef} />
      <span style={{ flex: 1 }} />
      <Button type="text" icon={<UserDeleteOutlined />} onClick={onFormer} data-testid="former-members">
        {t("former.open")}
      </Button>
      <ExportListButton query={query} total={total} />
      <AddMemberButton onPassword={onAddPassword} onInvite={onAddInvite} />
      <ShortcutHelp />
    </div>
  );
});
