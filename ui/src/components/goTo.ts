import { createContext, useContext } from "react";

/** The screens another screen may send the admin to. */
export type GoToTarget = "settings";

/** Opens another screen of the main window; absent outside it (a dialog shown on its own). */
export const GoToScreen = createContext<((screen: GoToTarget) => void) | null>(null);

export function useGoToScreen() {
  return useContext(GoToScreen);
}
