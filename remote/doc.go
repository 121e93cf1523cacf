// Package remote fetches the allowlist from an HTTPS URL, checks its detached
// minisign signature (ed25519 over a BLAKE2b-512 prehash) against a trusted
// public key, and hands the verified bytes to the caller.
//
// The rules it keeps:
//   - a file is used only with a valid signature from the configured key;
//     there is no fallback to an unsigned or wrongly signed file, ever;
//   - the last verified copy (file and signature) is kept on disk and is
//     verified again before it is used at start;
//   - when the URL is down or serves something bad, the last good copy stays
//     in force and Status says why;
//   - the trusted comment must name the expected file ("file:", which
//     minisign writes by default; Config.FileName, else the URL's last path
//     element), so another list signed with the same key is refused;
//   - it must have a "timestamp:" (minisign's default too): a signed file
//     older than the one in force or kept on disk (read before the first
//     fetch) is refused, and so is a file with the same timestamp but other
//     bytes, so an old, validly signed list cannot be replayed.
//
// It also signs ([PrivateKey.Sign]) and makes key pairs ([GenerateKey]) in
// minisign's formats, for `kiosk allowlist sign|keygen`; files it writes are
// read by minisign(1) and the other way round.
package remote
