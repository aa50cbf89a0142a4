import type { ReactNode } from "react";
import { ThemeToggle } from "./theme.tsx";

/** The frame of the signed-out pages: brand, one card, theme switch. */
export function AuthLayout({
  title,
  sub,
  children,
}: {
  title: string;
  sub?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex items-center justify-between px-4 py-3">
        <a href="/" className="flex items-center gap-2 font-bold text-brand-700 dark:text-brand-100">
          <img src="/app/icon.svg" alt="" className="h-7 w-7" /> Delvia
        </a>
        <ThemeToggle />
      </header>
      <main id="main" className="mx-auto w-full max-w-md flex-1 px-4 pb-10">
        <h1 className="mt-6 mb-2 text-2xl font-bold tracking-tight">{title}</h1>
        {sub && <p className="mb-6 text-slate-600 dark:text-slate-400">{sub}</p>}
        <div className="rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
          {children}
        </div>
      </main>
    </div>
  );
}
