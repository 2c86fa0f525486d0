// The dashboard: four views over the control API, chosen by the address's #fragment
// (#/requests/ID, #/orders/MID/ID, #/scenarios/NAME, #/state), so every view can be linked and reloaded.

import { api, beijing, online, poller, report } from "./lib.js";
import { ordersView } from "./orders.js";
import { requestsView } from "./requests.js";
import { scenariosView } from "./scenarios.js";
import { stateView } from "./state.js";

const TITLES = { requests: "Requests", orders: "Orders", scenarios: "Scenarios", state: "Time & state" };

const ctx = {
  tab: null,
  endpoints: [],
  clock: null, // {now, frozen, fetchedAt}: the sandbox clock, extrapolated between fetches
  navigate(hash) {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  async refreshClock() {
    const clock = await api("GET", "clock");
    ctx.clock = { ...clock, fetchedAt: Date.now() / 1000 };
    showClock();
    for (const view of Object.values(views)) view.clockChanged?.();
    return clock;
  },
  showRequestsOf(merOrderId) {
    views.requests.showOrder(merOrderId);
    ctx.navigate("#/requests");
  },
  afterReset() {
    for (const view of Object.values(views)) view.reset?.();
  },
};

const views = {};

function sandboxNow() {
  const clock = ctx.clock;
  if (!clock) return null;
  return clock.frozen ? clock.now : clock.now + (Date.now() / 1000 - clock.fetchedAt);
}
ctx.sandboxNow = sandboxNow;

function showClock() {
  const now = sandboxNow();
  if (now === null) return;
  document.getElementById("clock-now").textContent = beijing(now);
  document.getElementById("clock-frozen").hidden = !ctx.clock.frozen;
}

function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const tab = TITLES[parts[0]] ? parts[0] : "requests";
  const changed = tab !== ctx.tab;
  ctx.tab = tab;
  for (const name of Object.keys(TITLES)) {
    document.getElementById(`view-${name}`).hidden = name !== tab;
    const link = document.querySelector(`[data-tab="${name}"]`);
    if (name === tab) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  document.title = `${TITLES[tab]} · mockums`;
  views[tab].show(parts.slice(1), changed);
}

async function boot() {
  try {
    ctx.endpoints = await api("GET", "endpoints");
    const health = await api("GET", "health");
    document.getElementById("version").textContent = `v${health.version}`;
  } catch (error) {
    report(error);
    setTimeout(boot, 2000);
    return;
  }
  online();
  views.requests = requestsView(ctx);
  views.orders = ordersView(ctx);
  views.scenarios = scenariosView(ctx);
  views.state = stateView(ctx);
  window.addEventListener("hashchange", route);
  route();
  poller(5000, async () => {
    await ctx.refreshClock();
    online();
  }, () => true);
  setInterval(showClock, 1000);
}

boot();
