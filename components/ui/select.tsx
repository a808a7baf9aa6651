import type { SelectHTMLAttributes } from "react";
import { inputClass } from "./styles";

export interface SelectOption<T extends string | number> {
  value: T;
  label: string;
}

export interface SelectProps<T extends string | number> extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "value" | "onChange"> {
  value: T;
  options: readonly SelectOption<T>[];
  onValueChange(value: T): void;
}

/** A native select over typed options (the value comes back as the option's own value, number or string). */
export function Select<T extends string | number>({ value, options, onValueChange, className = "", ...props }: SelectProps<T>) {
  return (
    <select
      {...props}
      value={value}
      onChange={(e) => onValueChange(options.find((o) => String(o.value) === e.target.value)?.value ?? options[0]!.value)}
      className={`${inputClass()} ${className}`}
    >
      {options.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
