import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { hashToken, isPlausibleToken, mintToken, tokenChecksum } from "@/lib/tokens/format";

describe("token format", () => {
  it("mints xui_ + 30 base62 random characters + a 6-character base62 CRC32 of them", () => {
    const { plaintext } = mintToken();
    expect(plaintext).toMatch(/^xui_[0-9A-Za-z]{36}$/);
    const body = plaintext.slice(4, 34);
    const checksum = plaintext.slice(34);
    // Decode the base62 checksum independently and compare with zlib's CRC32.
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    const decoded = [...checksum].reduce((n, c) => n * 62 + alphabet.indexOf(c), 0);
    expect(decoded).toBe(crc32(body));
  });

  it("carries at least 160 random bits and never repeats", () => {
    expect(30 * Math.log2(62)).toBeGreaterThanOrEqual(160);
    const seen = new Set(Array.from({ length: 2000 }, () => mintToken().plaintext));
    expect(seen.size).toBe(2000);
  });

  it("uses every base62 character with no visible bias", () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const c of mintToken().plaintext.slice(4, 34)) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    const expected = (2000 * 30) / 62;
    for (const n of counts.values()) expect(Math.abs(n - expected) / expected).toBeLessThan(0.2);
  });

  it("stores the lowercase hex SHA-256 of the plaintext", () => {
    const minted = mintToken();
    expect(minted.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(minted.hash).toBe(hashToken(minted.plaintext));
    expect(hashToken("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });

  it("keeps only the prefix and 4 random characters for display", () => {
    const minted = mintToken();
    expect(minted.prefix).toBe(minted.plaintext.slice(0, 8));
  });

  it("accepts minted tokens and rejects a wrong checksum, length or alphabet offline", () => {
    const { plaintext } = mintToken();
    expect(isPlausibleToken(plaintext)).toBe(true);
    const last = plaintext.at(-1)!;
    expect(isPlausibleToken(plaintext.slice(0, -1) + (last === "a" ? "b" : "a"))).toBe(false);
    // A typo in the random part breaks the checksum too.
    const typo = plaintext.slice(0, 10) + (plaintext[10] === "Z" ? "Y" : "Z") + plaintext.slice(11);
    expect(isPlausibleToken(typo)).toBe(false);
    expect(isPlausibleToken(plaintext + "0")).toBe(false);
    expect(isPlausibleToken(plaintext.slice(0, -1))).toBe(false);
    const body = "a".repeat(30);
    expect(isPlausibleToken(`xui_${body}${tokenChecksum(body)}`)).toBe(true);
    expect(isPlausibleToken(`xui_${"-".repeat(30)}${tokenChecksum("-".repeat(30))}`)).toBe(false);
  });

  it("lets opaque imported tokens through to the lookup, but not junk", () => {
    expect(isPlausibleToken("0123456789abcdef0123456789abcdef")).toBe(true);
    expect(isPlausibleToken("short")).toBe(false);
    expect(isPlausibleToken("has space in it 1234567890")).toBe(false);
    expect(isPlausibleToken("x".repeat(257))).toBe(false);
    expect(isPlausibleToken("")).toBe(false);
  });
});
