import { useEffect } from "react";

import { isDialogOpen, isTyping } from "../../components/keyboard";

/** Keyboard: "/" or Ctrl+K search, N add, Delete remove the selection; never while typing or in a dialog. */
export function useDirectoryShortcuts({ onSearch, onAdd, onRemove }: { onSearch: () => void; onAdd: () => void; onRemove: () => void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        onSearch();
        return;
      }
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (isDialogOpen()) return;
      if (e.key === "/") {
        e.preventDefault();
        onSearch();
      } else if (e.key === "n" || e.key === "N") {
        e.preventDefault();
        onAdd();
      } else if (e.key === "Delete") {
        e.preventDefault();
        onRemove();
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onSearch, onAdd, onRemove]);
}
