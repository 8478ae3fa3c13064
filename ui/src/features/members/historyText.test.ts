import { describe, expect, it } from "vitest";

import type { HistoryChange } from "../../bindings/HistoryChange";
import type { HistoryItem } from "../../bindings/HistoryItem";
import i18n from "../../i18n";
import { historyAction } from "./historyText";

const item = (action: string, changes: HistoryChange[]): HistoryItem => ({ at: 0, actorName: "Ann", action, before: null, after: null, changes });

describe("history wording", () => {
  const en = i18n.getFixedT("en");
  const zh = i18n.getFixedT("zh-CN");

  it("names a primary department change instead of 'edited the member'", () => {
    const h = item("member.edit", [{ kind: "primaryDepartment", department: "Sales/EMEA" }]);
    expect(historyAction(en, h)).toBe("set primary department to Sales/EMEA");
    expect(historyAction(zh, h)).toBe("将主部门设为 Sales/EMEA");
  });

  it("names every kind of change, joined in each language", () => {
    const h = item("member.edit", [
      { kind: "field", field: "name", to: "Dee Ray" },
      { kind: "field", field: "mobile", to: null },
      { kind: "departmentsAdded", departments: ["Sales", "Ops"] },
      { kind: "departmentsRemoved", departments: ["Sales/EMEA"] },
      { kind: "title", department: "Sales", title: "Rep" },
      { kind: "title", department: "Ops", title: null },
      { kind: "title", department: null, title: "Lead" },
      { kind: "title", department: null, title: null },
      { kind: "rolesAdded", roles: ["Admin"] },
      { kind: "rolesRemoved", roles: ["Member"] },
    ]);
    expect(historyAction(en, h)).toBe(
      "changed the name to “Dee Ray”; cleared the mobile number; added to Sales, Ops; removed from Sales/EMEA; " +
        "set the position in Sales to “Rep”; cleared the position in Ops; set the primary position to “Lead”; " +
        "cleared the primary position; gave the role Admin; took away the role Member",
    );
    expect(historyAction(zh, h)).toBe(
      "将姓名改为“Dee Ray”；清除了手机号；添加到部门 Sales、Ops；移出部门 Sales/EMEA；将 Sales 的职位设为“Rep”；" +
        "清除了 Ops 的职位；将主部门职位设为“Lead”；清除了主部门职位；添加了角色 Admin；移除了角色 Member",
    );
  });

  it("says where a position went when its department was deleted", () => {
    const h = item("member.position_moved", [{ kind: "positionMoved", from: "EMEA", to: "Sales" }]);
    expect(historyAction(en, h)).toBe("moved the position in EMEA to Sales, as EMEA was deleted");
    expect(historyAction(zh, h)).toBe("因部门 EMEA 已删除，将其职位移到 Sales");
  });

  it("falls back to the action's own words when it names no change", () => {
    expect(historyAction(en, item("member.disable", []))).toBe("disabled the member");
    expect(historyAction(zh, item("member.disable", []))).toBe(zh("history.member_disable"));
    expect(historyAction(en, item("member.something_new", []))).toBe("member.something_new");
  });
});
