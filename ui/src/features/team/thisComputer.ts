import type { TFunction } from "i18next";

import type { TeamStatus } from "../../bindings/TeamStatus";

/** "Laptop, enrolled for Ann Lee (ann)": this computer in the team, as the Team and Gateway cards name it. */
export function thisComputerText(t: TFunction, status: TeamStatus): string {
  const admin = status.admin ? `${status.admin.name}${status.admin.username ? ` (${status.admin.username})` : ""}` : "—";
  return t("team.computerOf", { device: status.deviceName ?? t("team.unnamed"), admin });
}
