import { redirect } from "next/navigation";

export default function PanelHome(): never {
  redirect("/panel/settings/security");
}
