import { Dropdown } from "antd";
import type { DropdownProps } from "antd";
import { cloneElement, useState, type MouseEvent, type ReactElement, type Ref } from "react";

type Trigger = ReactElement<{
  onClick?: (e: MouseEvent<HTMLElement>) => void;
  className?: string;
  disabled?: boolean;
  ref?: Ref<HTMLElement>;
}>;

type Props = Omit<DropdownProps, "trigger" | "open" | "children"> & {
  /** The button that opens the menu (a click, or Enter and Space on it). */
  children: Trigger;
};

/**
 * Ant Design's click-opened Dropdown, made on the trigger's first click: until then the button
 * is drawn alone, without the dropdown's trigger, its menu and their components, so that the
 * window's first picture does not wait for menus nobody has opened yet. Once made it stays, and
 * behaves as the Dropdown does (Escape, a click outside or a choice closes it). The button is
 * drawn anew inside the Dropdown: if it had the focus (opened with Enter or Space), the new one
 * takes it.
 */
export function LazyDropdown({ children, onOpenChange, disabled, ...props }: Props) {
  const [made, setMade] = useState(false);
  const [open, setOpen] = useState(false);
  // Whether the first click came with the focus on the button.
  const [focused, setFocused] = useState(false);
  if (!made) {
    // The class and the disabled state the Dropdown gives its trigger: the same button either way.
    const className = children.props.className ? `ant-dropdown-trigger ${children.props.className}` : "ant-dropdown-trigger";
    return cloneElement(children, {
      className,
      disabled: children.props.disabled ?? disabled,
      onClick: (e: MouseEvent<HTMLElement>) => {
        children.props.onClick?.(e);
        if (disabled) return;
        setFocused(document.activeElement === e.currentTarget);
        setMade(true);
        setOpen(true);
      },
    });
  }
  return (
    <Dropdown
      {...props}
      disabled={disabled}
      trigger={["click"]}
      open={open}
      onOpenChange={(next, info) => {
        setOpen(next);
        onOpenChange?.(next, info);
      }}
    >
      {focused ? cloneElement(children, { ref: focusOnce }) : children}
    </Dropdown>
  );
}

/** A ref that focuses its element when the element is put in the page. */
const focusOnce = (el: HTMLElement | null) => el?.focus();
