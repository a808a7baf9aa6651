import Link from "next/link";
import { LogoutButton } from "./logout-button";

export function PanelHeader({ username }: { username: string }) {
  return (
    <header className="sticky top-0 z-20 border-b border-zinc-200 bg-white/85 backdrop-blur dark:border-zinc-800 dark:bg-zinc-950/85">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-4 px-4 sm:px-6">
        <Link href="/panel/settings/security" className="flex items-center gap-2 font-semibold tracking-tight">
          <span
            aria-hidden="true"
            className="flex h-7 w-7 items-center justify-center rounded-lg bg-indigo-600 text-sm font-bold text-white"
          >
            x
          </span>
          <span>xui-panel</span>
        </Link>
        <nav aria-label="Main" className="hidden sm:block">
          <ul className="flex items-center gap-1 text-sm">
            <li>
              <Link
                href="/panel/settings/security"
                aria-current="page"
                className="rounded-md px-2.5 py-1.5 font-medium text-zinc-900 hover:bg-zinc-100 dark:text-zinc-100 dark:hover:bg-zinc-800"
              >
                Settings
              </Link>
            </li>
          </ul>
        </nav>
        <div className="ml-auto flex items-center gap-2">
          <span className="hidden text-sm text-zinc-600 sm:inline dark:text-zinc-400">
            Signed in as <span className="font-medium text-zinc-900 dark:text-zinc-100">{username}</span>
          </span>
          <LogoutButton />
        </div>
      </div>
    </header>
  );
}
