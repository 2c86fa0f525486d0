// Scenarios: every scenario in force with its source, magic id, match rule and description; the last
// reload from disk with its errors (file:line); and "try it": mockums signs and sends a sample request
// for the scenario's magic id and shows the answer.

import { ApiError, api, badge, beijing, busy, code, facts, fill, h, messageOf, poller, pretty, say, successOf } from "./lib.js";

const POLL_MS = 5000;

function matchText(match) {
  const parts = [`${match.kind} ${match.value}`];
  if (match.endpoints && match.endpoints.length) parts.push(`on ${match.endpoints.join(", ")}`);
  const body = Object.entries(match.body || {});
  if (body.length) parts.push(`when ${body.map(([name, value]) => `${name} = ${value}`).join(" and ")}`);
  return parts.join(" ");
}

function sampleId(scenario) {
  if (scenario.magicId) return scenario.magicId;
  const match = scenario.match;
  if (match.kind === "merOrderId") return match.value;
  if (match.kind === "merOrderIdPrefix") return `${match.value}0001`;
  return "";
}

// The endpoint "try it" sends first: the scenario's own, else the first signed create (a scenario with a
// lifecycle scripts an order's life from its creation) or close that the lines list.
function sampleEndpoint(scenario, ctx) {
  const signed = ctx.endpoints.filter((item) => item.method !== "GET");
  const post = (scenario.match.endpoints || []).filter((path) => signed.some((item) => item.path === path));
  if (post.length) return post[0];
  const wanted = scenario.lifecycle ? "create" : "close";
  const found = signed.find((item) => item.action === wanted) || signed[0];
  return found ? found.path : "";
}

// {"pay": {"mode": "after_queries", "count": 2, "seconds": 0}, "refund": null} -> "pay after_queries, count 2"
function lifecycleText(lifecycle) {
  const shown = (value) => value !== null && value !== undefined && value !== 0 && value !== false
    && !(Array.isArray(value) && !value.length);
  return Object.entries(lifecycle).filter(([, value]) => shown(value)).map(([name, value]) => {
    if (typeof value !== "object" || Array.isArray(value)) return `${name} ${value}`;
    const parts = Object.entries(value).filter(([, inner]) => shown(inner))
      .map(([key, inner]) => (key === "mode" || key === "status" ? String(inner) : `${key} ${inner}`));
    return `${name}: ${parts.join(", ")}`;
  }).join("; ");
}

function slug(name) {
  return name.replace(/[^A-Za-z0-9_-]/g, "_");
}

export function scenariosView(ctx) {
  const list = document.getElementById("scenario-list");
  const status = document.getElementById("reload-status");
  const counter = document.getElementById("scenario-count");
  const search = document.getElementById("s-filter");
  const reloadButton = document.getElementById("reload-scenarios");
  let listText = "";
  let target = null; // a scenario named in the address, to scroll to

  function showReload(state) {
    const errors = state.errors || [];
    fill(status,
      h("h2", null, "Scenario files ", errors.length ? badge("not loaded", "bad") : badge("ok", "ok")),
      h("p", null, state.at ? `Last read from disk at ${beijing(state.at)} (Beijing time).` : "Read from disk at start-up.",
        state.loaded !== null && state.loaded !== undefined ? ` ${state.loaded} scenarios loaded.` : ""),
      errors.length ? [
        h("p", { class: "mk-callout mk-bad" }, "The files do not validate; the previous set stays in force:"),
        h("ul", { class: "mk-list", id: "load-errors" }, errors.map((error) => h("li", null, code(error)))),
      ] : null);
  }

  function card(scenario, index) {
    const id = `scenario-${slug(scenario.name)}`;
    const signed = ctx.endpoints.filter((item) => item.method !== "GET");  // H5 paths take a browser link
    const endpoint = h("select", { id: `try-endpoint-${index}` }, signed.map((item) => h("option", {
      value: item.path, selected: item.path === sampleEndpoint(scenario, ctx),
    }, item.path)));
    const order = h("input", {
      id: `try-order-${index}`, type: "text", value: sampleId(scenario), required: true, autocomplete: "off",
      spellcheck: "false",
    });
    const send = h("button", { type: "submit", class: "mk-button mk-primary" }, "Try it");
    const result = h("div", { class: "mk-result", "aria-live": "polite" });
    const form = h("form", { class: "mk-inline-form", "aria-label": `Try ${scenario.name}` },
      h("div", { class: "mk-field" }, h("label", { for: endpoint.id }, "Endpoint"), endpoint),
      h("div", { class: "mk-field" }, h("label", { for: order.id }, "merOrderId"), order), send);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(send, async () => {
        const sent = await api("POST", "send", undefined, { endpoint: endpoint.value, merOrderId: order.value.trim() });
        const answer = sent.answer && typeof sent.answer === "object" ? sent.answer : null;
        fill(result,
          h("p", null, sent.error ? badge(sent.error, "bad")
            : badge(`HTTP ${sent.status}${answer && answer.errCode ? ` ${answer.errCode}` : ""}`,
              answer && answer.errCode === successOf(ctx.endpoints, endpoint.value) ? "ok" : "warn"),
          messageOf(answer) ? ` ${messageOf(answer)}` : "",
          sent.journalId ? [" · ", h("a", { href: `#/requests/${sent.journalId}` }, `request #${sent.journalId}`)] : ""),
          h("pre", { class: "try-answer" }, typeof sent.answer === "string" ? sent.answer
            : JSON.stringify(sent.answer, null, 2)),
          h("details", null, h("summary", null, "What mockums signed and sent"),
            h("pre", null, sent.request.authorization), h("pre", null, pretty(sent.request.body))));
      });
    });
    const steps = scenario.lifecycle ? `the order's lifecycle (${lifecycleText(scenario.lifecycle)})`
      : `${scenario.steps} scripted answer${scenario.steps === 1 ? "" : "s"}`;
    return h("article", { class: "mk-card", id, "aria-labelledby": `${id}-name`, "data-name": scenario.name },
      h("h2", { id: `${id}-name` }, scenario.name,
        scenario.origin === "runtime" ? badge("added at runtime", "info") : null),
      scenario.description ? h("p", null, scenario.description) : null,
      facts([
        ["Magic id", scenario.magicId ? code(scenario.magicId) : "none"],
        ["Match", code(matchText(scenario.match))],
        ["Scripts", steps],
        ["Source", scenario.origin === "runtime" ? "added at runtime" : code(scenario.source)],
      ]),
      form, result);
  }

  let total = 0;
  function count() {
    const wanted = search.value.trim().toLowerCase();
    let shown = 0;
    for (const article of list.children) {
      const visible = !wanted || article.textContent.toLowerCase().includes(wanted);
      article.hidden = !visible;
      shown += visible ? 1 : 0;
    }
    counter.textContent = `${total} scenario${total === 1 ? "" : "s"} in force`
      + (shown !== total ? `, ${shown} shown` : "");
  }

  async function load() {
    const [scenarios, reload] = await Promise.all([api("GET", "scenarios"), api("GET", "scenarios/reload")]);
    showReload(reload);
    const text = JSON.stringify(scenarios);
    if (text !== listText) {
      listText = text;
      fill(list, scenarios.map(card));
    }
    total = scenarios.length;
    count();
    if (target) {
      const element = document.getElementById(`scenario-${slug(target)}`);
      target = null;
      if (element) element.scrollIntoView({ block: "start" });
    }
  }

  const polling = poller(POLL_MS, load, () => ctx.tab === "scenarios");
  search.addEventListener("input", count);
  reloadButton.addEventListener("click", () => busy(reloadButton, async () => {
    try {
      const state = await api("POST", "scenarios/reload");
      say(`Reloaded: ${state.loaded} scenarios.`);
    } catch (error) {
      if (!(error instanceof ApiError) || !error.answer || !error.answer.errors) throw error;
      showReload(error.answer);
      say("The files do not validate; the previous set stays in force.", "bad");
      return;
    }
    listText = "";
    await load();
  }));

  return {
    show(args) {
      if (args.length) target = args.join("/");
      polling.poke();
    },
    reset() {
      listText = "";
    },
  };
}
