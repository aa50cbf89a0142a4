import { Component, type ReactNode } from "react";

/** The root error boundary: a friendly message and a way back, never a blank screen. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state = { error: null as Error | null };
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return <ErrorScreen error={this.state.error} onRetry={() => this.setState({ error: null })} />;
  }
}

export function ErrorScreen({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message = error instanceof Error ? error.message : "Something went wrong.";
  return (
    <main id="main" className="mx-auto max-w-md p-6">
      <div
        role="alert"
        className="rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
      >
        <h1 className="text-xl font-bold">Something went wrong</h1>
        <p className="mt-2 text-slate-700 dark:text-slate-300">{message}</p>
        <div className="mt-4 flex gap-2">
          <button
            type="button"
            className="min-h-11 rounded-lg bg-brand-700 px-4 font-semibold text-white"
            onClick={() => (onRetry ? onRetry() : window.location.reload())}
          >
            Try again
          </button>
          <a
            className="inline-flex min-h-11 items-center rounded-lg px-4 font-semibold text-brand-700 dark:text-brand-100"
            href="/app"
          >
            Go to the start
          </a>
        </div>
      </div>
    </main>
  );
}
