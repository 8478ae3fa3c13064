import useMenuStyle from "antd/es/menu/style";
import { cloneElement, isValidElement, memo, useRef, type KeyboardEvent, type ReactElement, type ReactNode } from "react";

/** One entry of a {@link NavMenu}. */
export type NavMenuItem<K extends string> = {
  key: K;
  icon: ReactNode;
  label: ReactNode;
  /** On the label's own element, so that its text is the label alone (badge or not). */
  testId: string;
  /** Beside the label (the count of waiting requests …); none when there is nothing to count. */
  badge?: ReactNode;
};

type Props<K extends string> = {
  items: NavMenuItem<K>[];
  selected: K;
  onSelect: (key: K) => void;
  label: string;
};

/**
 * The window's navigation drawn as Ant Design's inline Menu draws it — its markup, class names
 * and roles, registered through its own style hook so its stylesheet and theme give the same
 * look — without the dozen components per entry the Menu builds. The keyboard is the Menu's:
 * the list is one tab stop; ↑ and ↓ move the focus from entry to entry (round the ends), Home
 * and End to the first and last, Enter (or Space) opens the focused entry.
 */
function NavMenuImpl<K extends string>({ items, selected, onSelect, label }: Props<K>) {
  const [hashId, cssVar] = useMenuStyle("ant-menu", "ant-menu-css-var");
  const list = useRef<HTMLUListElement>(null);

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const entries = [...(list.current?.querySelectorAll<HTMLElement>(":scope > [role=menuitem]") ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLElement);
    let next: number;
    switch (e.key) {
      case "ArrowDown":
        next = at === -1 ? 0 : (at + 1) % entries.length;
        break;
      case "ArrowUp":
        next = at === -1 ? entries.length - 1 : (at - 1 + entries.length) % entries.length;
        break;
      case "Home":
        next = 0;
        break;
      case "End":
        next = entries.length - 1;
        break;
      case "Enter":
      case " ":
        if (at !== -1) {
          e.preventDefault();
          onSelect(items[at].key);
        }
        return;
      default:
        return;
    }
    e.preventDefault();
    entries[next]?.focus();
  };

  return (
    <ul
      ref={list}
      className={`ant-menu ant-menu-root ant-menu-inline ant-menu-light ${hashId} ${cssVar} ant-menu-css-var`}
      role="menu"
      tabIndex={0}
      aria-label={label}
      style={NO_END_BORDER}
      onKeyDown={onKeyDown}
      data-testid="nav"
    >
      {items.map((item) => {
        const current = item.key === selected;
        return (
          <li
            key={item.key}
            className={current ? "ant-menu-item ant-menu-item-selected" : "ant-menu-item"}
            role="menuitem"
            tabIndex={-1}
            aria-current={current ? "page" : undefined}
            style={INDENT}
            onClick={() => onSelect(item.key)}
          >
            {isValidElement(item.icon) ? cloneElement(item.icon as ReactElement<{ className?: string }>, ICON) : item.icon}
            <span className="ant-menu-title-content">
              <span data-testid={item.testId}>{item.label}</span>
              {item.badge}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

const NO_END_BORDER = { borderInlineEnd: "none" };
const INDENT = { paddingLeft: 24 };
const ICON = { className: "ant-menu-item-icon" };

export const NavMenu = memo(NavMenuImpl) as typeof NavMenuImpl;
