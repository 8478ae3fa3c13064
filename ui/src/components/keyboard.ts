/** True while the user types into a field (shortcuts must not fire then). */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

/** True while a modal dialog is open (the page's shortcuts must not fire then). */
export function isDialogOpen(): boolean {
  return document.querySelector(".ant-modal-wrap:not([style*='display: none']) .ant-modal") !== null;
}
