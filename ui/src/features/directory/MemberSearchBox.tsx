import { SearchOutlined } from "@ant-design/icons";
import { Input } from "antd";
import type { InputRef } from "antd";
import { memo, startTransition, useEffect, useState, type RefObject } from "react";
import { useTranslation } from "react-i18next";

/**
 * How long the text must rest before it is searched: none. The search is asked right after
 * the key's own picture (the timer's task runs after it), each key's answer replaces the one
 * before, and an older answer arriving late is never shown, so waiting would only add to what
 * the admin waits for. Keys that arrive within one task (a paste) are still one query.
 */
export const SEARCH_DEBOUNCE_MS = 0;

type Props = {
  /** Called with the trimmed text, as a transition: typing stays ahead of the list. */
  onSearch: (text: string) => void;
  inputRef: RefObject<InputRef | null>;
};

/**
 * The member search box. It keeps what is typed to itself, so that a keystroke renders this
 * box alone; the screen hears of the text once it settles. To empty it from outside, give it
 * a new `key`.
 */
export const MemberSearchBox = memo(function MemberSearchBox({ onSearch, inputRef }: Props) {
  const { t } = useTranslation();
  const [text, setText] = useState("");

  useEffect(() => {
    const trimmed = text.trim();
    const timer = window.setTimeout(() => startTransition(() => onSearch(trimmed)), SEARCH_DEBOUNCE_MS);
    return () => window.clearTimeout(timer);
  }, [text, onSearch]);

  return (
    <Input
      ref={inputRef}
      allowClear
      prefix={<SearchOutlined />}
      placeholder={t("members.searchPlaceholder")}
      value={text}
      onChange={(e) => setText(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === "Escape") (e.target as HTMLInputElement).blur();
      }}
      data-testid="member-search"
      aria-label={t("members.search")}
      className="orgdesk-member-search"
    />
  );
});
