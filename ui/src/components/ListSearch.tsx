import { Input } from "antd";

/** A list's search box, labelled by its placeholder: each keystroke is a new search (the caller
 *  goes back to the first page and clears the selection). */
export function ListSearch({ value, onChange, placeholder, testId }: { value: string; onChange: (v: string) => void; placeholder: string; testId: string }) {
  return (
    <Input.Search
      allowClear
      value={value}
      onChange={(e) => onChange(e.target.value)}
      placeholder={placeholder}
      aria-label={placeholder}
      style={{ width: 320 }}
      data-testid={testId}
    />
  );
}
