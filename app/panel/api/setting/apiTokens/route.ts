import { apiRoute, endpoint } from "@/lib/api/route";
import { streamedTokenList } from "@/lib/tokens/full-list";
import { listTokenPage } from "@/lib/tokens/list";

export const dynamic = "force-dynamic";

export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = apiRoute({
  GET: endpoint("tokens.list", ({ db, query, now }) => (query.paged ? listTokenPage(db, query, now) : streamedTokenList(db, now))),
});
