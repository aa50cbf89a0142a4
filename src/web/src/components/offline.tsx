import { useEffect, useState } from "react";
import { NETWORK_EVENT } from "../api.ts";

/** A banner while the device is offline; the shell still opens from the service worker cache. */
export function OfflineBanner() {
  const [online, setOnline] = useState(() => navigator.onLine);
  const [reached, setReached] = useState(true);
  useEffect(() => {
    const on = () => setOnline(true);
    const off = () => setOnline(false);
    const network = (e: Event) => setReached((e as CustomEvent<boolean>).detail);
    window.addEventListener("online", on);
    window.addEventListener("offline", off);
    window.addEventListener(NETWORK_EVENT, network);
    return () => {
      window.removeEventListener("online", on);
      window.removeEventListener("offline", off);
      window.removeEventListener(NETWORK_EVENT, network);
    };
  }, []);
  if (online && reached) return null;
  return (
    <div
      role="status"
      className="bg-amber-100 px-4 py-2 text-center text-sm font-medium text-amber-950 dark:bg-amber-900 dark:text-amber-50"
    >
      {online
        ? "Delvia cannot be reached right now. What you see may be out of date, and changes cannot be saved until it answers."
        : "You are offline. What you see may be out of date, and changes cannot be saved until you are back online."}
    </div>
  );
}
