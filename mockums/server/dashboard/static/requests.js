// Requests: the journal as a live list (polled with since=, list rows only), filterable, and one entry
// in full: the request and answer as sent, the authentication verdict with its diagnosis, the scenario
// chosen and why, and its near misses.

import { ApiError, api, badge, code, confirming, enc, facts, fill, h, poller, say, successOf } from "./lib.js";

const MAX_ROWS = 200; // rows kept in the list; older ones drop off (the journal keeps more)
const POLL_ROWS = 50; // rows asked for per poll (on a busy journal, the newest)
const POLL_MS = 1000;
const FLASH = 3; // new rows are highlighted for a moment, unless they come in crowds

const DIAGNOSIS_LABELS = {
  header_problem: "Header problem",
  string_to_sign: "String to sign",
  hmac: "Signature formula",
  body_sha256: "Body SHA-256 (computed here)",
  body_bytes: "Body bytes",
  expected_signature: "Expected signature",
  received_signature: "Received signature",
  clock_skew_seconds: "Timestamp skew (s)",
  token_age_seconds: "Token age (s)",
  string_hashed: "String hashed",
};

export function verdictBadge(verdict) {
  return verdict === "ok" ? badge("auth ok", "ok") : badge(verdict, "bad");
}

function answerTone(entry, ctx) {
  if (entry.fault || entry.status >= 400 || entry.status === 0) return "bad";
  return !entry.errCode || entry.errCode === successOf(ctx.endpoints, entry.endpoint) ? "ok" : "warn";
}

function answerText(entry) {
  if (entry.fault) return `fault ${entry.fault}`;
  return `HTTP ${entry.status}${entry.errCode ? ` ${entry.errCode}` : ""}`;
}

function shortEndpoint(endpoint) {
  return endpoint.replace(/^\/v1\/netpay\//, "");
}

export function requestsView(ctx) {
  const form = document.getElementById("journal-filters");
  const list = document.getElementById("journal-list");
  const empty = document.getElementById("journal-empty");
  const count = document.getElementById("journal-count");
  const detail = document.getElementById("request-detail");
  const live = document.getElementById("live");
  const verdicts = document.getElementById("f-verdict");
  const scenarios = document.getElementById("f-scenario");
  const endpoints = document.getElementById("f-endpoint");
  const rows = new Map(); // id -> <li>
  let lastId = 0;
  let generation = 0; // bumped when the filters change: answers to older queries are dropped
  let selected = null;

  for (const endpoint of ctx.endpoints) {
    endpoints.append(h("option", { value: endpoint.path }, `${shortEndpoint(endpoint.path)} — ${endpoint.title}`));
  }

  function filters() {
    const data = new FormData(form);
    return {
      merOrderId: String(data.get("merOrderId") || "").trim(),
      endpoint: data.get("endpoint"),
      verdict: data.get("verdict"),
      scenario: data.get("scenario"),
    };
  }

  function noteOption(select, value) {
    if (value && ![...select.options].some((option) => option.value === value)) {
      select.append(h("option", { value }, value));
    }
  }

  function row(entry, fresh) {
    const link = h("a", {
      class: "mk-row", href: `#/requests/${entry.id}`, "data-id": entry.id,
      "aria-current": entry.id === selected ? "true" : null,
    },
    h("span", { class: "mk-c-lead", title: entry.time }, entry.time.slice(11, 23)),
    h("span", { class: "mk-c-sub" }, `#${entry.id}`),
    h("span", { class: "mk-c-main", title: entry.endpoint }, shortEndpoint(entry.endpoint)),
    h("span", { class: "mk-c-second" }, h("span", { class: "mk-mono" }, entry.merOrderId || "no merOrderId"),
      entry.scenario ? ` · scenario ${entry.scenario}` : ""),
    h("span", { class: "mk-c-replica", title: `answered by replica ${entry.replica}` }, entry.replica),
    h("span", { class: "mk-c-badge" }, verdictBadge(entry.verdict)),
    h("span", { class: "mk-c-badge2" }, badge(answerText(entry), answerTone(entry, ctx))));
    return h("li", { class: fresh ? "mk-row-new" : null }, link);
  }

  function add(entries, fresh) {
    const batch = document.createDocumentFragment();
    const flash = fresh && entries.length <= FLASH;
    for (const entry of entries) {
      lastId = Math.max(lastId, entry.id);
      if (rows.has(entry.id)) continue;
      const item = row(entry, flash);
      rows.set(entry.id, item);
      batch.prepend(item);
      noteOption(verdicts, entry.verdict === "ok" ? "" : entry.verdict);
    }
    list.prepend(batch);
    for (const [id, item] of rows) {
      if (rows.size <= MAX_ROWS) break;
      item.remove();
      rows.delete(id);
    }
    empty.hidden = rows.size > 0;
    count.textContent = rows.size ? `${rows.size} shown${rows.size >= MAX_ROWS ? " (the newest)" : ""}` : "";
  }

  async function reload() {
    const mine = ++generation;
    const entries = await api("GET", "journal", { ...filters(), view: "summary", limit: MAX_ROWS });
    if (mine !== generation) return;
    rows.clear();
    list.replaceChildren();
    lastId = 0;
    add(entries, false);
  }

  async function poll() {
    const mine = generation;
    const entries = await api("GET", "journal", { ...filters(), view: "summary", limit: POLL_ROWS, since: lastId });
    if (mine === generation && entries.length) add(entries, true);
  }

  const polling = poller(POLL_MS, poll, () => live.checked && ctx.tab === "requests");
  let debounce = null;
  const refilter = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => reload().catch((error) => say(error.message, "bad")), 150);
  };
  form.addEventListener("input", refilter);
  form.addEventListener("change", refilter);
  form.addEventListener("submit", (event) => event.preventDefault());
  live.addEventListener("change", () => polling.poke());
  confirming(document.getElementById("clear-journal"), async () => {
    await api("DELETE", "journal");
    await reload();
    say("Journal cleared.");
  });

  async function loadScenarioNames() {
    const known = await api("GET", "scenarios");
    for (const scenario of known) noteOption(scenarios, scenario.name);
  }

  function select(id) {
    selected = id;
    for (const [rowId, item] of rows) {
      const link = item.firstChild;
      if (rowId === id) link.setAttribute("aria-current", "true");
      else link.removeAttribute("aria-current");
    }
  }

  async function open(id) {
    select(id);
    const cameFromList = list.contains(document.activeElement);
    let entry;
    try {
      entry = await api("GET", `journal/${id}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      fill(detail, h("p", { class: "mk-empty" }, `Request #${id} is no longer in the journal.`));
      return;
    }
    if (selected !== id) return;
    fill(detail, ...entryView(entry, ctx));
    if (cameFromList) detail.focus({ preventScroll: true });
    if (window.matchMedia("(max-width: 899px)").matches) detail.scrollIntoView({ block: "start" });
  }

  let first = true;
  return {
    show(args) {
      if (first) {
        first = false;
        reload().catch((error) => say(error.message, "bad"));
        loadScenarioNames().catch(() => {});
      } else {
        polling.poke();
      }
      const id = Number(args[0]);
      if (args.length && Number.isInteger(id)) {
        open(id).catch((error) => say(error.message, "bad"));
      } else if (selected !== null) {
        select(null);
        fill(detail, h("p", { class: "mk-empty" }, "Choose a request to see what was sent, what was answered, and why."));
      }
    },
    reset() {
      reload().catch(() => {});
    },
    showOrder(merOrderId) {
      document.getElementById("f-order").value = merOrderId;
      reload().catch((error) => say(error.message, "bad"));
    },
  };
}

function entryView(entry, ctx) {
  const auth = entry.auth || {};
  const scenario = entry.scenario || {};
  let mid = null;
  try {
    mid = JSON.parse(entry.request).mid;
  } catch {
    // not JSON: no order link
  }
  const orderLink = entry.merOrderId && typeof mid === "string"
    ? h("a", { href: `#/orders/${enc(mid)}/${enc(entry.merOrderId)}` }, "open the order") : null;
  const answered = entry.fault
    ? [badge(`fault ${entry.fault}`, "bad"), " the connection got no normal answer"]
    : [badge(answerText(entry), answerTone(entry, ctx))];
  const tone = auth.verdict !== "ok" || entry.fault ? "bad" : answerTone(entry, ctx);
  return [
    h("a", { class: "mk-back", href: "#/requests" }, "← All requests"),
    h("h2", { id: "request-title" }, `Request #${entry.id}: ${entry.method} ${entry.endpoint}`),
    h("p", { class: `mk-callout mk-${tone}`, id: "request-why" }, entry.why),
    facts([
      ["Time", `${entry.time} (Beijing, sandbox clock)`],
      ["merOrderId", entry.merOrderId ? [code(entry.merOrderId), " ", orderLink] : "none"],
      ["appId", entry.appId ? code(entry.appId) : null],
      ["Answer", answered],
      ["Delay", entry.delaySeconds ? `${entry.delaySeconds} s of sandbox time before answering` : null],
      ["Decided in", `${entry.durationMs} ms`],
      ["Replica", entry.replica ? code(entry.replica) : null],
    ]),
    entry.warnings && entry.warnings.length ? h("section", { "aria-labelledby": "h-warnings" },
      h("h3", { id: "h-warnings" }, "Warnings"),
      h("ul", { class: "mk-list" }, entry.warnings.map((warning) => h("li", null, warning)))) : null,
    h("section", { "aria-labelledby": "h-auth", id: "request-auth" },
      h("h3", { id: "h-auth" }, "Authentication ", verdictBadge(auth.verdict)),
      facts([["Scheme", auth.scheme || "none"], ["Verdict", auth.verdict], ["Reason", auth.reason]]),
      auth.diagnosis ? [
        h("h4", null, "Signature diagnosis"),
        facts(Object.entries(auth.diagnosis).filter(([name]) => name !== "reason")
          .map(([name, value]) => [DIAGNOSIS_LABELS[name] || name, code(String(value))]), { id: "diagnosis" }),
      ] : null),
    h("section", { "aria-labelledby": "h-scenario", id: "request-scenario" },
      h("h3", { id: "h-scenario" }, "Scenario"),
      facts([
        ["Chosen", scenario.name ? h("a", { href: `#/scenarios/${enc(scenario.name)}` }, scenario.name) : "none"],
        ["Why", scenario.reason],
        ["Forced", scenario.forced],
      ]),
      scenario.nearMisses && scenario.nearMisses.length ? [
        h("h4", null, "Near misses"),
        h("ul", { class: "mk-list", id: "near-misses" }, scenario.nearMisses.map((miss) => h("li", null, miss))),
      ] : null),
    h("section", { "aria-labelledby": "h-sent" },
      h("h3", { id: "h-sent" }, "Request body as sent"),
      h("pre", { id: "request-body" }, entry.request || "(empty)")),
    h("section", { "aria-labelledby": "h-answer" },
      h("h3", { id: "h-answer" }, "Answer as sent"),
      entry.fault ? h("p", null, `No normal answer: the scenario injected the fault ${entry.fault}.`)
        : h("pre", { id: "answer-body" }, entry.answer || "(empty)")),
    entry.merOrderId ? h("p", null, h("button", {
      type: "button", class: "mk-button", onclick: () => ctx.showRequestsOf(entry.merOrderId),
    }, "Show only this order's requests")) : null,
  ];
}
