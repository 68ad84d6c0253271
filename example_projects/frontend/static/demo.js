// The demo page's scenarios: each one calls the example API from this page's origin with
// fetch(), and reports what the browser let the page see. The browser test suite runs the
// same scenarios by name through window.corsDemo.run(name, tag), so the page and the tests
// can never drift apart. Every call's URL carries a tag: browsers cache successful
// preflights per URL, and a cached preflight would hide the next one.
"use strict";

(() => {
  const config = window.CORS_DEMO_CONFIG;
  const JSON_TYPE = { "Content-Type": "application/json" };

  // One fetch, reduced to what the page could observe: a readable response, or the
  // TypeError that is all a page ever learns about a CORS refusal.
  async function call(url, init = {}) {
    const step = {
      url,
      method: init.method || "GET",
      credentials: init.credentials || "same-origin",
      requestHeaders: Object.keys(init.headers || {}),
    };
    try {
      const response = await fetch(url, init);
      step.outcome = "read";
      step.status = response.status;
      step.visibleHeaders = Object.fromEntries(response.headers.entries());
      const text = await response.text();
      try {
        step.body = JSON.parse(text);
      } catch {
        step.body = text;
      }
    } catch (error) {
      step.outcome = "blocked";
      step.errorName = error.name;
      step.error = `${error.name}: ${error.message}`;
    }
    return step;
  }

  const api = (path, tag) => `${config.api}${path}/${encodeURIComponent(tag)}`;
  const json = (method, body, extra = {}) => ({
    method,
    headers: JSON_TYPE,
    body: JSON.stringify(body),
    ...extra,
  });
  const logIn = (tag, user) =>
    call(api("/api/session", tag), { method: "POST", body: user, credentials: "include" });

  // origin: which page runs it ("listed": the API's allow-list names this page's origin).
  // expect: what a correct server and a standard browser produce. why: the reason, shown.
  const SCENARIOS = [
    {
      name: "simple-get",
      origin: "listed",
      title: "Simple GET",
      expect: "read",
      why: "A GET with no custom header is a simple request: no preflight. The origin is " +
        "in /api/'s allow_origins, so cors_wsgi answers with it in Access-Control-Allow-Origin.",
      run: async (tag) => [await call(api("/api/items", tag))],
    },
    {
      name: "exposed-headers",
      origin: "listed",
      title: "Exposed response headers",
      expect: "read",
      why: "expose_headers lists X-Total-Count, so the page can read it; X-Request-Id is not " +
        "listed, so response.headers hides it although the server sent it.",
      run: async (tag) => [await call(api("/api/items", tag))],
    },
    {
      name: "post-text-plain",
      origin: "listed",
      title: "POST text/plain",
      expect: "read",
      why: "POST with a text/plain body is still a simple request: no preflight is sent.",
      run: async (tag) => [
        await call(api("/api/items", tag), {
          method: "POST",
          headers: { "Content-Type": "text/plain" },
          body: "plain text",
        }),
      ],
    },
    {
      name: "post-json",
      origin: "listed",
      title: "POST application/json",
      expect: "read",
      why: "Content-Type: application/json is not CORS-safelisted, so the browser first " +
        "sends a preflight; content-type is in /api/'s allow_headers.",
      run: async (tag) => [await call(api("/api/items", tag), json("POST", { n: 1 }))],
    },
    {
      name: "put-json",
      origin: "listed",
      title: "PUT",
      expect: "read",
      why: "PUT is not a safelisted method: preflight, then the PUT (allowed by allow_methods).",
      run: async (tag) => [await call(api("/api/items", tag), json("PUT", { n: 2 }))],
    },
    {
      name: "delete",
      origin: "listed",
      title: "DELETE",
      expect: "read",
      why: "DELETE is preflighted, and allowed by allow_methods.",
      run: async (tag) => [await call(api("/api/items", tag), { method: "DELETE" })],
    },
    {
      name: "patch",
      origin: "listed",
      title: "PATCH",
      expect: "read",
      why: "PATCH is preflighted, and allowed by allow_methods.",
      run: async (tag) => [await call(api("/api/items", tag), json("PATCH", { n: 3 }))],
    },
    {
      name: "patch-lowercase",
      origin: "listed",
      title: "fetch(..., {method: 'patch'})",
      expect: "blocked",
      why: "Browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT; 'patch' " +
        "stays lower-case, and method names are case-sensitive, so 'PATCH' does not allow it.",
      run: async (tag) => [await call(api("/api/items", tag), json("patch", { n: 4 }))],
    },
    {
      name: "custom-header-allowed",
      origin: "listed",
      title: "Custom header, listed",
      expect: "read",
      why: "X-Demo-Token is in /api/'s allow_headers: the preflight allows it.",
      run: async (tag) => [
        await call(api("/api/items", tag), { headers: { "X-Demo-Token": "42" } }),
      ],
    },
    {
      name: "custom-header-refused",
      origin: "listed",
      title: "Custom header, not listed",
      expect: "blocked",
      why: "X-Unlisted is not in /api/'s allow_headers: the preflight fails and the GET is " +
        "never sent.",
      run: async (tag) => [
        await call(api("/api/items", tag), { headers: { "X-Unlisted": "1" } }),
      ],
    },
    {
      name: "authorization-listed",
      origin: "listed",
      title: "Authorization, listed",
      expect: "read",
      why: "/api/ lists authorization in allow_headers by name, so it is allowed.",
      run: async (tag) => [
        await call(api("/api/items", tag), { headers: { Authorization: "Bearer demo" } }),
      ],
    },
    {
      name: "authorization-wildcard",
      origin: "listed",
      title: "Authorization under allow_headers=\"*\"",
      expect: "blocked",
      why: "/public/ allows any header with \"*\", but by the Fetch standard \"*\" never " +
        "covers Authorization: it must be listed by name.",
      run: async (tag) => [
        await call(api("/public/items", tag), { headers: { Authorization: "Bearer demo" } }),
      ],
    },
    {
      name: "any-header-wildcard",
      origin: "listed",
      title: "Custom header under allow_headers=\"*\"",
      expect: "read",
      why: "/public/ allows any header with \"*\" (its requests carry no credentials).",
      run: async (tag) => [
        await call(api("/public/items", tag), { headers: { "X-Anything": "1" } }),
      ],
    },
    {
      name: "credentials-allowed",
      origin: "listed",
      title: "Cookie, credentials allowed",
      expect: "read",
      why: "/api/ has allow_credentials=True: with credentials: 'include' the cookie set " +
        "by the login call is sent back, and the page can read the answer.",
      run: async (tag) => [
        await logIn(tag, "ada"),
        await call(api("/api/whoami", tag), { credentials: "include" }),
      ],
    },
    {
      name: "credentials-preflighted",
      origin: "listed",
      title: "Cookie on a preflighted PUT",
      expect: "read",
      why: "The preflight carries no cookie; its answer allows credentials, so the PUT is " +
        "sent with the cookie.",
      run: async (tag) => [
        await logIn(tag, "grace"),
        await call(api("/api/items", tag), json("PUT", { n: 5 }, { credentials: "include" })),
      ],
    },
    {
      name: "credentials-refused",
      origin: "listed",
      title: "Cookie, credentials not allowed",
      expect: "blocked",
      why: "/public/ answers Access-Control-Allow-Origin: * and no Allow-Credentials. The " +
        "browser sends the cookie, but refuses to show the credentialed answer to the page.",
      run: async (tag) => [
        await logIn(tag, "mallory"),
        await call(api("/public/whoami", tag), { credentials: "include" }),
      ],
    },
    {
      name: "credentials-not-allowed",
      origin: "listed",
      title: "Cookie, listed origin without allow_credentials",
      expect: "blocked",
      why: "/partner/ lists this origin but keeps allow_credentials=False, so its answer has " +
        "no Access-Control-Allow-Credentials: true and the browser hides it from a page " +
        "that sent credentials: 'include'.",
      run: async (tag) => [
        await logIn(tag, "eve"),
        await call(api("/partner/whoami", tag), { credentials: "include" }),
      ],
    },
    {
      name: "error-404",
      origin: "listed",
      title: "404 from the API",
      expect: "read",
      why: "Error responses carry the CORS headers too, so the page can read the error.",
      run: async (tag) => [await call(api("/api/no-such-route", tag))],
    },
    {
      name: "error-500",
      origin: "listed",
      title: "500 from the API",
      expect: "read",
      why: "A 500 the application returns carries the CORS headers like any response.",
      run: async (tag) => [await call(api("/api/fail", tag))],
    },
    {
      name: "app-raises",
      origin: "listed",
      title: "The application raises",
      // The WSGI middleware lets the exception through; Django and Flask turn it into a
      // 500 response inside the CORS layer's reach.
      expect: config.example === "plain" ? "blocked" : "read",
      why: config.example === "plain"
        ? "cors_wsgi never invents a response: the exception passes through it, and the " +
          "server's own 500 page carries no CORS headers, so the page sees only a " +
          "TypeError. Turn errors into responses inside the application to keep them " +
          "readable."
        : `${config.example} turns the exception into a 500 response before cors_wsgi ` +
          "decorates it, so the page can read the error.",
      run: async (tag) => [await call(api("/api/crash", tag))],
    },
    {
      name: "preflight-no-route",
      origin: "listed",
      title: "Preflight to a URL without a route",
      expect: "read",
      why: "cors_wsgi answers the preflight itself, by path prefix, before any routing; " +
        "the PUT that follows gets the application's readable 404.",
      run: async (tag) => [await call(api("/api/no-such-route", tag), json("PUT", {}))],
    },
    {
      name: "preflight-cached",
      origin: "listed",
      title: "Preflight cache (max_age=600)",
      expect: "read",
      why: "/api/ sends Access-Control-Max-Age: 600, so the second PUT to the same URL " +
        "reuses the cached preflight: the server sees one preflight for two PUTs.",
      run: async (tag) => [
        await call(api("/api/items", tag), json("PUT", { n: 1 })),
        await call(api("/api/items", tag), json("PUT", { n: 2 })),
      ],
    },
    {
      name: "preflight-not-cached",
      origin: "listed",
      title: "No preflight cache (max_age=0)",
      expect: "read",
      why: "/public/ sends Access-Control-Max-Age: 0, so each POST with JSON is preflighted.",
      run: async (tag) => [
        await call(api("/public/items", tag), json("POST", { n: 1 })),
        await call(api("/public/items", tag), json("POST", { n: 2 })),
      ],
    },
    {
      name: "out-of-scope-path",
      origin: "listed",
      title: "A path with no CORS policy",
      expect: "blocked",
      why: "Only /api/, /partner/ and /public/ have a policy in paths=; cors_wsgi adds nothing to " +
        "/internal/, so no other origin may read it.",
      run: async (tag) => [await call(api("/internal/items", tag))],
    },
    {
      name: "unlisted-simple-get",
      origin: "unlisted",
      title: "Simple GET from an unlisted origin",
      expect: "blocked",
      why: "This page's origin is not in /api/'s allow_origins: the server still answers " +
        "the GET, but without Access-Control-Allow-Origin, so the browser hides it.",
      run: async (tag) => [await call(api("/api/items", tag))],
    },
    {
      name: "unlisted-preflight",
      origin: "unlisted",
      title: "PUT from an unlisted origin",
      expect: "blocked",
      why: "The preflight from an unlisted origin gets 403 without CORS headers: the PUT " +
        "is never sent.",
      run: async (tag) => [await call(api("/api/items", tag), json("PUT", {}))],
    },
    {
      name: "unlisted-public-get",
      origin: "unlisted",
      title: "GET /public/ from an unlisted origin",
      expect: "read",
      why: "/public/ has its own policy in paths=: any origin, no credentials.",
      run: async (tag) => [await call(api("/public/items", tag))],
    },
  ];

  const byName = new Map(SCENARIOS.map((scenario) => [scenario.name, scenario]));

  async function run(name, tag) {
    const scenario = byName.get(name);
    if (!scenario) throw new Error(`no scenario named ${name}`);
    const steps = await scenario.run(tag);
    const outcome = steps[steps.length - 1].outcome;
    return { name, tag, origin: location.origin, expect: scenario.expect, outcome, steps };
  }

  // ---- rendering (the demo page only; the tests use run()) ----

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    for (const child of children) node.append(child);
    return node;
  }

  // Paths are shown without their tag: "/api/items/…".
  const untagged = (path, tag) => path.replace(encodeURIComponent(tag), "…");

  function describeStep(step, tag) {
    const credentials = step.credentials === "include" ? " + cookie" : "";
    const headers = step.requestHeaders.length ? ` [${step.requestHeaders.join(", ")}]` : "";
    const target = untagged(step.url.slice(config.api.length), tag);
    if (step.outcome === "blocked") {
      return `${step.method} ${target}${headers}${credentials} → ${step.error}`;
    }
    let seen = `${step.method} ${target}${headers}${credentials} → ${step.status} ` +
      JSON.stringify(step.body);
    const visible = Object.keys(step.visibleHeaders).sort().join(", ");
    seen += `; headers the page can read: ${visible}`;
    return seen;
  }

  function describeServer(entries, tag) {
    if (!entries.length) return ["nothing reached the server"];
    return entries.map((entry) => {
      const kind = entry.preflight ? "preflight OPTIONS" : entry.method;
      const cookie = entry.hadCookie ? " (with cookie)" : "";
      const answer = entry.raised ? `the application raised ${entry.raised}` : entry.status;
      return `${kind} ${untagged(entry.path, tag)}${cookie} → ${answer}`;
    });
  }

  async function showScenario(scenario, tbody, nonce) {
    const tag = `${nonce}-${scenario.name}`;
    const result = await run(scenario.name, tag);
    const journal = await (await fetch(`/journal?tag=${encodeURIComponent(tag)}`)).json();
    const log = journal.entries.flatMap((entry) => entry.corsLog);
    const asExpected = result.outcome === scenario.expect;
    const list = (lines) => element("ul", {}, ...lines.map((line) => element("li", {}, line)));
    tbody.append(
      element(
        "tr",
        { class: `${result.outcome} ${asExpected ? "as-expected" : "unexpected"}` },
        element("th", { scope: "row" }, scenario.title),
        element("td", { class: "outcome" },
          result.outcome === "read" ? "allowed: page read it" : "blocked: TypeError",
          asExpected ? "" : " (UNEXPECTED)"),
        element("td", {}, list(result.steps.map((step) => describeStep(step, tag)))),
        element("td", {}, list(describeServer(journal.entries, tag))),
        element("td", {}, log.length ? list(log) : "—"),
        element("td", {}, scenario.why),
      ),
    );
  }

  async function showAll() {
    const tbody = document.getElementById("results");
    const nonce = Math.random().toString(36).slice(2, 8);
    for (const scenario of SCENARIOS) {
      if (scenario.origin === config.role) await showScenario(scenario, tbody, nonce);
    }
    document.body.dataset.done = "true";
  }

  function describePage() {
    document.getElementById("page-origin").textContent = location.origin;
    document.getElementById("api-origin").textContent = config.api;
    document.getElementById("example").textContent = config.example;
    document.getElementById("role").textContent =
      config.role === "listed"
        ? "listed in /api/'s allow_origins"
        : "not listed anywhere (only /public/, which allows any origin, will answer it)";
    const query = new URLSearchParams(location.search);
    // A driven ("manual") page embeds nothing: the embedded page would run its scenarios.
    if (config.unlistedPage && !query.has("embedded") && !query.has("manual")) {
      const frame = document.getElementById("unlisted");
      frame.hidden = false;
      frame.querySelector("iframe").src = `${config.unlistedPage}?embedded=1`;
    }
    if (query.has("embedded")) document.body.classList.add("embedded");
  }

  window.corsDemo = { run, scenarios: SCENARIOS.map(({ run: _, ...rest }) => rest) };
  document.addEventListener("DOMContentLoaded", () => {
    describePage();
    if (!new URLSearchParams(location.search).has("manual")) showAll();
  });
})();
