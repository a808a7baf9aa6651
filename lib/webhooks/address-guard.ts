import "server-only";
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import ipaddr from "ipaddr.js";
import { WEBHOOK_MSG } from "./schemas";

/**
 * Where a webhook may send: public unicast addresses only, unless
 * `WEBHOOK_ALLOW_PRIVATE=true` (a receiver on the panel's own host or LAN).
 * The check runs on the address actually connected to (the socket's lookup),
 * so a name that resolves to a public address when saved and to 127.0.0.1 or
 * 169.254.169.254 when sent (DNS rebinding) is refused at send time too.
 */

export class BlockedAddressError extends Error {
  override readonly name = "BlockedAddressError";
}

const GLOBAL_IPV6 = ipaddr.parseCIDR("2000::/3");
const NAT64 = ipaddr.parseCIDR("64:ff9b::/96");

/** The addresses of this host's own interfaces: its public address loops back to services a firewall keeps from the outside. */
function ownAddresses(): Set<string> {
  return new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => ipaddr.process(i.address.split("%")[0]!).toString())));
}

/**
 * Whether `address` (an IP literal) is a public unicast address that is not
 * this host's own. IPv4-mapped and NAT64 (`64:ff9b::/96`) IPv6 are judged as
 * the IPv4 they carry; other IPv6 must be global unicast (`2000::/3`), which
 * leaves out the IPv4-compatible `::a.b.c.d` forms.
 */
export function isPublicAddress(address: string): boolean {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, ""));
  } catch {
    return false;
  }
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (v6.match(NAT64)) parsed = ipaddr.fromByteArray(v6.toByteArray().slice(12));
    else if (!v6.match(GLOBAL_IPV6)) return false;
  }
  return parsed.range() === "unicast" && !ownAddresses().has(parsed.toString());
}

export function allowsAddress(address: string, allowPrivate: boolean): boolean {
  return allowPrivate ? isIP(address.replace(/^\[|\]$/g, "")) !== 0 : isPublicAddress(address);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * dns.lookup() runs on libuv's small thread pool, which password hashing
 * shares: lookups for webhooks take turns, so a receiver's dead name servers
 * (seconds per lookup) never hold more than one of its threads.
 */
let lookups: Promise<void> = Promise.resolve();
function inTurn(run: (done: () => void) => void): void {
  lookups = lookups.then(() => new Promise<void>((done) => run(done)));
}

/** A `lookup` for node:http that resolves as usual and refuses the connection unless every address is allowed. */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void =>
    inTurn((done) =>
      dnsLookup(hostname, { family: options.family ?? 0, all: true }, (error, addresses) => {
        done();
        if (error) return callback(error, []);
        const blocked = addresses.find((a) => !allowsAddress(a.address, allowPrivate));
        if (blocked || addresses.length === 0) return callback(new BlockedAddressError(WEBHOOK_MSG.urlPrivate), []);
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0]!.address, addresses[0]!.family);
      }),
    );
}

/** The check at save time: an IP literal by itself, a host name by what it resolves to now. */
export async function checkWebhookTarget(url: string, allowPrivate: boolean): Promise<string | null> {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return allowsAddress(host, allowPrivate) ? null : WEBHOOK_MSG.urlPrivate;
  return new Promise((resolve) => {
    guardedLookup(allowPrivate)(host, { all: true }, (error) => {
      if (!error) return resolve(null);
      resolve(error instanceof BlockedAddressError ? WEBHOOK_MSG.urlPrivate : WEBHOOK_MSG.urlUnresolvable);
    });
  });
}
