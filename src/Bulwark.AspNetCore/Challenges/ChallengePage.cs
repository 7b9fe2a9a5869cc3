using System.Globalization;
using System.Net;

namespace Bulwark.AspNetCore.Challenges;

/// <summary>
/// The HTML page a browser gets for a challenge: it finds a nonce so that SHA-256(challenge ‖ nonce) has the asked number
/// of leading zero bits (with <c>crypto.subtle</c>, or a small JavaScript SHA-256 where the page is not a secure context),
/// posts it to the verify endpoint, which sets the pass cookie, and reloads the page (GET/HEAD requests; for others it
/// asks the user to send the request again).
/// </summary>
internal static class ChallengePage
{
    public static string Render(string title, string detail, string decisionId, ChallengeTicket ticket, bool reload)
    {
        var t = WebUtility.HtmlEncode(title);
        var d = WebUtility.HtmlEncode(detail);
        var id = WebUtility.HtmlEncode(decisionId);
        var challenge = WebUtility.HtmlEncode(ticket.Challenge);
        var difficulty = ticket.Difficulty.ToString(CultureInfo.InvariantCulture);
        var verify = WebUtility.HtmlEncode(ticket.VerifyPath);
        var again = reload ? "1" : "0";
        return $$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="robots" content="noindex">
            <title>{{t}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}code{background:#eee;padding:0 .3rem}</style>
            </head><body><h1>{{t}}</h1><p>{{d}}</p>
            <div id="bulwark-challenge" data-challenge="{{challenge}}" data-difficulty="{{difficulty}}" data-verify="{{verify}}" data-reload="{{again}}"></div>
            <p id="bulwark-status">Checking your browser. This takes about a second.</p>
            <noscript><p>This check needs JavaScript. Turn it on and load the page again.</p></noscript>
            <p>Reference: <code>{{id}}</code></p>
            <script>
            (async () => {
              const box = document.getElementById('bulwark-challenge'), status = document.getElementById('bulwark-status');
              const challenge = box.dataset.challenge, bits = +box.dataset.difficulty, enc = new TextEncoder();
              const zeroBits = (words) => { let n = 0; for (const w of words) { const x = w >>> 0; if (x) return n + Math.clz32(x); n += 32; } return n; };
              const started = performance.now();
              let nonce = -1;
              if (self.crypto && crypto.subtle) {
                const batch = 256;
                for (let base = 0; nonce < 0; base += batch) {
                  const hashes = [];
                  for (let i = 0; i < batch; i++) hashes.push(crypto.subtle.digest('SHA-256', enc.encode(challenge + (base + i))));
                  const done = await Promise.all(hashes);
                  for (let i = 0; i < batch; i++) {
                    const v = new DataView(done[i]);
                    if (zeroBits([v.getUint32(0), v.getUint32(4), v.getUint32(8), v.getUint32(12)]) >= bits) { nonce = base + i; break; }
                  }
                }
              } else {
                // Not a secure context (plain http on a public name): crypto.subtle is missing, so hash in JavaScript.
                const K = [], H = [];
                for (let p = 2, n = 0; n < 64; p++) {
                  let prime = true; for (let q = 2; q * q <= p; q++) if (p % q === 0) { prime = false; break; }
                  if (!prime) continue;
                  if (n < 8) H[n] = (Math.pow(p, 1 / 2) * 4294967296) | 0;
                  K[n++] = (Math.pow(p, 1 / 3) * 4294967296) | 0;
                }
                const W = new Int32Array(64);
                const sha256 = (m) => {
                  const l = m.length, n = ((l + 8) >> 6) + 1 << 4, w = new Int32Array(n);
                  for (let i = 0; i < l; i++) w[i >> 2] |= m[i] << (24 - (i & 3) * 8);
                  w[l >> 2] |= 0x80 << (24 - (l & 3) * 8); w[n - 1] = l * 8;
                  const h = H.slice();
                  for (let j = 0; j < n; j += 16) {
                    for (let i = 0; i < 16; i++) W[i] = w[j + i];
                    for (let i = 16; i < 64; i++) {
                      const x = W[i - 15], y = W[i - 2];
                      W[i] = (((x >>> 7 | x << 25) ^ (x >>> 18 | x << 14) ^ (x >>> 3)) + ((y >>> 17 | y << 15) ^ (y >>> 19 | y << 13) ^ (y >>> 10)) + W[i - 7] + W[i - 16]) | 0;
                    }
                    let [a, b, c, d, e, f, g, k] = h;
                    for (let i = 0; i < 64; i++) {
                      const t1 = (k + ((e >>> 6 | e << 26) ^ (e >>> 11 | e << 21) ^ (e >>> 25 | e << 7)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
                      const t2 = (((a >>> 2 | a << 30) ^ (a >>> 13 | a << 19) ^ (a >>> 22 | a << 10)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
                      k = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
                    }
                    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
                    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + k) | 0;
                  }
                  return h;
                };
                for (let i = 0; nonce < 0; i++) {
                  if (zeroBits(sha256(enc.encode(challenge + i))) >= bits) nonce = i;
                  else if ((i & 65535) === 65535) await new Promise((r) => setTimeout(r, 0));
                }
              }
              const ms = Math.round(performance.now() - started);
              const answer = await fetch(box.dataset.verify, {
                method: 'POST', credentials: 'same-origin',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: 'challenge=' + encodeURIComponent(challenge) + '&nonce=' + nonce,
              });
              try { sessionStorage.setItem('bulwark-solve-ms', String(ms)); sessionStorage.setItem('bulwark-solve-hashes', String(nonce + 1)); } catch (e) { }
              if (!answer.ok) { status.textContent = 'The check failed. Load the page again to retry.'; return; }
              if (box.dataset.reload === '1') { status.textContent = 'Done. Loading the page.'; location.reload(); }
              else status.textContent = 'Done. Go back and send your request again.';
            })();
            </script>
            </body></html>
            """;
    }
}
