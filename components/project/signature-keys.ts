// A Project's signatureKeys: which commits may sync. Pure: key IDs as Argo CD reads them, and the
// verdict on the GnuPG status lines `git verify-commit --raw` prints.
//
// Key IDs (argo-cd util/sourceintegrity/gpg.go, KeyID): 40 hex digits are a fingerprint and stand for
// their last 16; 16 hex digits are the long key ID itself; anything else (an 8-digit short ID, a
// prefix) is not a key ID and is refused, so a short ID shared by many keys never matches by accident.
// Argo CD compares the key that made the signature (`using ... key <fingerprint>`); SyncWave reads the
// same from VALIDSIG and also admits the primary key's ID there, so a subkey signature counts for the
// key its owner declared. Case is ignored (GnuPG prints upper case).
//
// Status codes (GnuPG doc/DETAILS, "General status codes"): a signature is good only with GOODSIG and
// VALIDSIG and no EXPSIG, EXPKEYSIG, REVKEYSIG, BADSIG, ERRSIG or NO_PUBKEY; no status line at all
// is an unsigned commit. Argo CD refuses the same cases (util/git/client.go, gpgVerificationFromGpgCode;
// util/sourceintegrity/gpg.go, VerifyGnuPGSignature).
import type { SignatureKey } from "./project-spec";

/** The 16-digit key ID a declared key (fingerprint or long key ID) stands for, upper case; undefined when it is neither. */
export function keyIdOf(key: string): string | undefined {
    const k = key.trim();
    if (/^[0-9A-Fa-f]{40}$/.test(k)) return k.slice(24).toUpperCase();
    if (/^[0-9A-Fa-f]{16}$/.test(k)) return k.toUpperCase();
    return undefined;
}

/** Messages for signatureKeys entries that are not key IDs (a short ID, a prefix, not hex). */
export function signatureKeyErrors(keys: unknown): string[] {
    if (keys === undefined) return [];
    if (!Array.isArray(keys)) return ["must be a list of {keyID}"];
    return keys.flatMap((k, i) => {
        const id = (k as SignatureKey | undefined)?.keyID;
        if (typeof id !== "string") return [`[${i}] has no keyID`];
        return keyIdOf(id) ? [] : [`[${i}].keyID "${id}" is not a GnuPG key ID: give the 16-digit long key ID or the 40-digit fingerprint`];
    });
}

export type SignatureResult =
    | { status: "good"; signingKey: string; primaryKey: string }
    | { status: "unsigned" }
    | { status: "bad"; code: string; keyId: string; reason: string };

const REFUSING: Record<string, string> = {
    BADSIG: "bad signature (the commit does not match it)",
    EXPSIG: "expired signature",
    EXPKEYSIG: "signed with an expired key",
    REVKEYSIG: "signed with a revoked key",
    ERRSIG: "signature could not be checked (key not among the platform's public keys, or unsupported algorithm)",
    NO_PUBKEY: "signed with a key not among the platform's public keys",
};

/** The outcome of one `git verify-commit --raw` (its stderr; other lines are ignored). */
export function parseVerifyOutput(output: string): SignatureResult {
    const lines = output
        .split("\n")
        .filter((l) => l.startsWith("[GNUPG:] "))
        .map((l) => l.slice("[GNUPG:] ".length).trim().split(/\s+/));
    if (lines.length === 0) return { status: "unsigned" };
    // A second signature could be good while this one is not: one refusal anywhere refuses.
    const signatures = lines.filter((l) => l[0] === "NEWSIG").length;
    for (const [code, keyId = ""] of lines) {
        if (REFUSING[code]) return { status: "bad", code, keyId, reason: REFUSING[code] };
    }
    if (signatures > 1) return { status: "bad", code: "NEWSIG", keyId: "", reason: "more than one signature on the commit" };
    const good = lines.find((l) => l[0] === "GOODSIG");
    const valid = lines.find((l) => l[0] === "VALIDSIG");
    if (!good || !valid || valid.length < 2) {
        return { status: "bad", code: lines[lines.length - 1]?.[0] ?? "", keyId: good?.[1] ?? "", reason: "no valid signature reported by GnuPG" };
    }
    const signingKey = valid[1].toUpperCase();
    // VALIDSIG's last field is the primary key's fingerprint (GnuPG 2.x: field 10).
    const primaryKey = (valid.length >= 11 ? valid[10] : valid[1]).toUpperCase();
    return { status: "good", signingKey, primaryKey };
}

export type SignatureVerdict = { allowed: true; keyId: string } | { allowed: false; reason: string };

/** Whether a verified commit may sync under the Project's keys. */
export function signatureVerdict(result: SignatureResult, keys: readonly SignatureKey[]): SignatureVerdict {
    if (result.status === "unsigned") return { allowed: false, reason: "the commit is not signed" };
    if (result.status === "bad") return { allowed: false, reason: `${result.reason}${result.keyId ? ` (key ${result.keyId})` : ""}` };
    const allowed = new Set(keys.map((k) => keyIdOf(k.keyID)).filter((k): k is string => Boolean(k)));
    for (const fingerprint of [result.signingKey, result.primaryKey]) {
        const id = keyIdOf(fingerprint);
        if (id && allowed.has(id)) return { allowed: true, keyId: id };
    }
    return { allowed: false, reason: `good signature by key ${result.signingKey}, which is not one of the Project's signatureKeys` };
}
