import { useEffect, useState } from "react";

type Theme = "system" | "light" | "dark";
const KEY = "delvia-theme";

function apply(theme: Theme) {
  const dark =
    theme === "dark" || (theme === "system" && window.matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}

/** Apply the remembered theme before the first paint of the app. */
export function initTheme() {
  apply((localStorage.getItem(KEY) as Theme | null) ?? "system");
  window
    .matchMedia("(prefers-color-scheme: dark)")
    .addEventListener("change", () => apply((localStorage.getItem(KEY) as Theme | null) ?? "system"));
}

export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem(KEY) as Theme | null) ?? "system");
  useEffect(() => {
    localStorage.setItem(KEY, theme);
    apply(theme);
  }, [theme]);
  const next: Record<Theme, Theme> = { system: "light", light: "dark", dark: "system" };
  const label = { system: "Theme: system", light: "Theme: light", dark: "Theme: dark" }[theme];
  return (
    <button
      type="button"
      onClick={() => setTheme(next[theme])}
      className="min-h-11 rounded-lg px-3 text-sm text-slate-700 hover:bg-slate-200 dark:text-slate-200 dark:hover:bg-slate-800"
      aria-label={`${label}. Switch theme`}
    >
      {theme === "dark" ? "☾" : theme === "light" ? "☀" : "◐"}{" "}
      <span className="sr-only sm:not-sr-only">{theme}</span>
    </button>
  );
}
