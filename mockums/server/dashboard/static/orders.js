// Orders: the list (status, amount, wallet, product line) and one order with its history, refunds and
// notification attempts, and the buttons the control API allows: pay, close and refund (mockums signs
// and sends the merchant's request), send the notification again, redeliver one, forget the order.

import {
  ApiError, api, badge, beijing, busy, code, confirming, enc, facts, fen, fill, h, messageOf, poller, pretty, say,
  statusBadge, successOf,
} from "./lib.js";

const LIST_MS = 2000;
const DETAIL_MS = 1000;
const MAX_ROWS = 200;
const PAYABLE = ["NEW_ORDER", "WAIT_BUYER_PAY"];
const WALLETS = { WXPay: "微信支付", "Alipay 2.0": "支付宝" };

// Notification records may spell their keys in camelCase or snake_case.
function pick(record, camel, snake) {
  return record[camel] !== undefined ? record[camel] : record[snake];
}

function orderHash(order) {
  return `#/orders/${enc(order.mid)}/${enc(order.merOrderId)}`;
}

export function ordersView(ctx) {
  const form = document.getElementById("order-filters");
  const list = document.getElementById("order-list");
  const empty = document.getElementById("order-empty");
  const count = document.getElementById("order-count");
  const detail = document.getElementById("order-detail");
  let listText = "";
  let current = null; // {mid, merOrderId}
  let shownText = "";
  let actions = null; // the action bar of the open order, kept across refreshes

  async function loadList() {
    const data = new FormData(form);
    const orders = await api("GET", "orders", {
      merOrderId: String(data.get("merOrderId") || "").trim(), mid: String(data.get("mid") || "").trim(),
      limit: MAX_ROWS,
    });
    const text = JSON.stringify(orders);
    if (text === listText) return;
    listText = text;
    const newest = orders.slice().reverse();
    fill(list, newest.map((order) => h("li", null, h("a", {
      class: "mk-row", href: orderHash(order), id: `order-row-${enc(order.mid)}-${enc(order.merOrderId)}`,
      "aria-current": current && current.mid === order.mid && current.merOrderId === order.merOrderId ? "true" : null,
    },
    h("span", { class: "mk-c-lead", title: order.createTime }, order.createTime.slice(11)),
    h("span", { class: "mk-c-sub" }, WALLETS[order.targetSys] || order.targetSys),
    h("span", { class: "mk-c-main", title: order.merOrderId }, order.merOrderId),
    h("span", { class: "mk-c-second" }, [fen(order.totalAmount), order.refunded ? `refunded ${fen(order.refunded)}` : "",
      order.targetSys, order.instMid, `mid ${order.mid}`].filter(Boolean).join(" · ")),
    h("span", { class: "mk-c-badge" }, statusBadge(order.status))))));
    empty.hidden = orders.length > 0;
    count.textContent = orders.length === MAX_ROWS ? `the ${MAX_ROWS} most recently used orders`
      : orders.length ? `${orders.length} order${orders.length === 1 ? "" : "s"}` : "";
  }

  async function loadDetail() {
    if (!current) return;
    const key = current;
    let order;
    try {
      order = await api("GET", `orders/${enc(key.mid)}/${enc(key.merOrderId)}`);
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 404) throw error;
      if (current === key) {
        fill(detail, h("a", { class: "mk-back", href: "#/orders" }, "← All orders"),
          h("p", { class: "mk-empty" }, `mockums has no order ${key.merOrderId} (mid ${key.mid}).`));
        shownText = "";
        actions = null;
      }
      return;
    }
    if (current !== key) return;
    render(order);
  }

  function render(order) {
    const text = JSON.stringify(order);
    if (text === shownText) return;
    shownText = text;
    if (!actions || actions.key !== `${order.mid}/${order.merOrderId}`) actions = actionBar(order);
    actions.update(order);
    fill(detail,
      h("a", { class: "mk-back", href: "#/orders" }, "← All orders"),
      h("h2", { id: "order-title" }, `Order ${order.merOrderId} `, statusBadge(order.status)),
      facts([
        ["Status", h("span", { id: "order-status" }, order.status)],
        ["Amount", fen(order.totalAmount)],
        ["Refunded", order.refunded ? fen(order.refunded) : null],
        ["Wallet", order.targetSys],
        ["Product line", order.instMid],
        ["mid", code(order.mid)],
        ["appId", order.appId ? code(order.appId) : null],
        ["Created", order.createTime],
        ["Expires", order.expireTime],
        ["Paid", order.payTime],
        ["Queries", String(order.queries)],
        ["notifyUrl", order.notifyUrl ? code(order.notifyUrl) : "none (no notifications are sent)"],
        ["Assumed", order.assumed ? "yes: mockums invented it on first sight" : null],
        ["Guarantee", order.guarantee
          ? `${order.guarantee.secureStatus}, ${fen(order.guarantee.completedAmount)} completed` : null],
        ["Split", order.split ? splitText(order.split) : null],
      ]),
      actions.element,
      notificationsView(order, () => detailPolling.burst()),
      refundsView(order),
      h("section", { "aria-labelledby": "h-history" },
        h("h3", { id: "h-history" }, "History"),
        order.history.length ? h("ol", { class: "mk-list", id: "order-history" },
          order.history.map((item) => h("li", null, h("span", { class: "mk-mono" }, item.time), " ", item.event)))
          : h("p", { class: "mk-empty" }, "Nothing has happened to it yet.")),
      h("p", null, h("button", {
        type: "button", class: "mk-button", onclick: () => ctx.showRequestsOf(order.merOrderId),
      }, "Show this order's requests")));
  }

  function splitText(split) {
    const how = split.asynchronous
      ? (split.confirmedAt ? `asynDivisionFlag, confirmed ${split.confirmedAt}` : "asynDivisionFlag, not confirmed")
      : "divisionFlag";
    const shares = split.subOrders.map((sub) => `${sub.mid} ${fen(sub.totalAmount)}`);
    return `${how}: platform ${fen(split.platformAmount)}; ${shares.join("; ")}`;
  }

  function actionBar(order) {
    const key = `${order.mid}/${order.merOrderId}`;
    const path = `orders/${enc(order.mid)}/${enc(order.merOrderId)}`;
    const result = h("div", { class: "mk-result", id: "order-action-result", "aria-live": "polite" });
    const pay = h("button", { type: "button", class: "mk-button mk-primary", id: "order-pay" }, "Pay");
    const close = h("button", { type: "button", class: "mk-button", id: "order-close" }, "Close");
    // A line whose merchant voids a paid order (POS link's voidpayment) has a void call instead of a close.
    const voids = h("button", { type: "button", class: "mk-button", id: "order-void", hidden: !order.calls.void },
      "Void");
    const fields = order.callFields || {};
    const amount = h("input", { id: "refund-amount", type: "number", min: "1", step: "1", inputmode: "numeric" });
    const refund = h("button", { type: "submit", class: "mk-button", id: "order-refund" }, "Refund");
    const notify = h("button", { type: "button", class: "mk-button", id: "order-notify" }, "Send notification again");
    const forget = h("button", {
      type: "button", class: "mk-button mk-danger", id: "order-forget", "data-confirm": "Really forget it?",
    }, "Forget");
    // What the user typed stays: the polling refresh fills in the refundable amount only until they edit it.
    let amountEdited = false;
    for (const type of ["input", "change"]) amount.addEventListener(type, () => { amountEdited = true; });
    const refundForm = h("form", { class: "mk-inline-form" },
      h("div", { class: "mk-field" }, h("label", { for: "refund-amount" }, "Refund amount (fen)"), amount), refund);

    async function merchant(endpoint, fields) {
      const sent = await api("POST", "send", undefined, { endpoint, merOrderId: order.merOrderId, mid: order.mid, fields });
      const answer = sent.answer && typeof sent.answer === "object" ? sent.answer : null;
      fill(result, h("p", null, `${endpoint} answered `,
        sent.error ? badge(sent.error, "bad") : badge(`HTTP ${sent.status} ${answer ? answer.errCode || "" : ""}`,
          answer && answer.errCode === successOf(ctx.endpoints, endpoint) ? "ok" : "warn"),
        messageOf(answer) ? ` ${messageOf(answer)}` : "",
        sent.journalId ? [" · ", h("a", { href: `#/requests/${sent.journalId}` }, `request #${sent.journalId}`)] : ""),
      h("details", null, h("summary", null, "What mockums signed and sent, and the answer"),
        h("pre", null, sent.request.authorization), h("pre", null, pretty(sent.request.body)),
        h("pre", null, typeof sent.answer === "string" ? sent.answer : JSON.stringify(sent.answer, null, 2))));
      detailPolling.burst();
    }

    pay.addEventListener("click", () => busy(pay, async () => {
      const paid = await api("POST", `${path}/pay`);
      say(`Paid: ${paid.merOrderId} is ${paid.status}.`);
      render(paid);
      detailPolling.burst();
    }));
    close.addEventListener("click", () => busy(close, () => merchant(order.calls.close)));
    voids.addEventListener("click", () => busy(voids, () => merchant(order.calls.void)));
    refundForm.addEventListener("submit", (event) => {
      event.preventDefault();
      busy(refund, async () => {
        // The amount goes in the line's field; a line that names refunds by a request id gets a fresh one.
        const sent = { [fields.amount || "refundAmount"]: Number(amount.value) };
        if (fields.request_id) sent[fields.request_id] = `R${Date.now()}`;
        await merchant(order.calls.refund, sent);
        amountEdited = false;
      });
    });
    notify.addEventListener("click", () => busy(notify, async () => {
      render(await api("POST", `${path}/notify`));
      say("Notification sent again.");
      detailPolling.burst();
    }));
    confirming(forget, () => busy(forget, async () => {
      await api("DELETE", path);
      say(`Forgot ${order.merOrderId}.`);
      current = null;
      ctx.navigate("#/orders");
    }));

    const element = h("section", { "aria-labelledby": "h-actions" },
      h("h3", { id: "h-actions" }, "Act on it"),
      h("p", { class: "mk-muted" }, "Pay acts as the customer. Close and refund make mockums sign and send the "
        + "merchant's request, so the journal shows them like any other."),
      h("div", { class: "mk-button-row" }, pay, close, voids, notify, forget), refundForm, result);
    return {
      key,
      element,
      update(latest) {
        pay.disabled = !PAYABLE.includes(latest.status);
        close.disabled = !PAYABLE.includes(latest.status) || !latest.calls.close;
        close.hidden = !latest.calls.close;
        voids.disabled = latest.status !== "TRADE_SUCCESS" || latest.refunded > 0 || !latest.calls.void;
        const refundable = latest.totalAmount - latest.refunded;
        refund.disabled = !["TRADE_SUCCESS", "TRADE_REFUND"].includes(latest.status) || refundable <= 0
          || !latest.calls.refund;
        amount.max = String(Math.max(refundable, 1));
        if (!amountEdited) amount.value = String(Math.max(refundable, 1));
        notify.disabled = !latest.notifyUrl || PAYABLE.includes(latest.status) || latest.status === "TRADE_CLOSED";
      },
    };
  }

  const listPolling = poller(LIST_MS, loadList, () => ctx.tab === "orders");
  const detailPolling = poller(DETAIL_MS, loadDetail, () => ctx.tab === "orders" && current !== null);
  form.addEventListener("input", () => {
    listText = "";
    listPolling.poke();
  });
  form.addEventListener("submit", (event) => event.preventDefault());

  return {
    show(args) {
      listPolling.poke();
      if (args.length >= 2) {
        const key = { mid: args[0], merOrderId: args.slice(1).join("/") };
        if (!current || current.mid !== key.mid || current.merOrderId !== key.merOrderId) {
          current = key;
          shownText = "";
          actions = null;
          listText = "";
          fill(detail, h("p", { class: "mk-empty" }, "Loading…"));
        }
        detailPolling.poke();
      } else {
        current = null;
        listText = "";
        fill(detail, h("p", { class: "mk-empty" },
          "Choose an order to see its history, refunds and notifications, and to pay, close or refund it."));
      }
    },
    reset() {
      listText = "";
      shownText = "";
    },
    clockChanged() {
      listPolling.poke();
      detailPolling.burst();
    },
    refresh() {
      detailPolling.burst();
    },
  };
}

function notificationsView(order, changed) {
  const deliveries = order.notifications || [];
  return h("section", { "aria-labelledby": "h-notifications", id: "order-notifications" },
    h("h3", { id: "h-notifications" }, "Notifications"),
    deliveries.length ? deliveries.map((delivery) => deliveryView(delivery, changed))
      : h("p", { class: "mk-empty" }, order.notifyUrl ? "None sent yet." : "None: the order has no notifyUrl."));
}

function deliveryView(delivery, changed) {
  const notifyId = pick(delivery, "notifyId", "notify_id");
  const attempts = delivery.attempts || [];
  const state = delivery.state;
  const redeliver = h("button", { type: "button", class: "mk-button", id: `redeliver-${notifyId}` }, "Redeliver");
  redeliver.addEventListener("click", () => busy(redeliver, async () => {
    await api("POST", `notifications/${enc(notifyId)}/redeliver`);
    say(`Notification ${notifyId} delivered again.`);
    changed();
  }));
  const params = delivery.params || {};
  return h("article", { class: "mk-card", "data-notify-id": notifyId },
    h("h4", null, `${delivery.kind} notification `,
      badge(state, state === "delivered" ? "ok" : state === "pending" ? "warn" : "bad")),
    facts([
      ["notifyId", code(notifyId)],
      ["To", code(delivery.url)],
      ["Created", beijing(pick(delivery, "createdAt", "created_at"))],
      ["Gave up", delivery.reason],
    ]),
    attempts.length ? h("div", { class: "mk-table-wrap" }, h("table", { class: "mk-table notify-attempts" },
      h("caption", { class: "mk-visually-hidden" }, `Attempts to deliver ${notifyId}`),
      h("thead", null, h("tr", null, ["#", "Sandbox time", "HTTP", "Accepted", "Receiver's answer", "ms"].map(
        (title) => h("th", { scope: "col" }, title)))),
      h("tbody", null, attempts.map((attempt) => h("tr", null,
        h("td", null, String(attempt.number)),
        h("td", { class: "mk-mono" }, beijing(attempt.at)),
        h("td", null, attempt.status === null ? "—" : String(attempt.status)),
        h("td", null, attempt.accepted ? badge("yes", "ok") : badge("no", "bad")),
        h("td", null, attempt.error ? attempt.error : code(attempt.body || "(empty)")),
        h("td", null, String(Math.round(pick(attempt, "durationMs", "duration_ms") || 0))))))))
      : h("p", { class: "mk-empty" }, "No attempt yet."),
    h("details", null, h("summary", null, "Form fields as sent (signed)"),
      h("pre", null, Object.entries(params).map(([name, value]) => `${name}=${value}`).join("\n"))),
    h("div", { class: "mk-button-row" }, redeliver));
}

function refundsView(order) {
  const refunds = order.refunds || [];
  if (!refunds.length) return null;
  return h("section", { "aria-labelledby": "h-refunds" },
    h("h3", { id: "h-refunds" }, "Refunds"),
    h("div", { class: "mk-table-wrap" }, h("table", { class: "mk-table", id: "order-refunds" },
      h("thead", null, h("tr", null, ["refundOrderId", "Amount", "Status", "Created", "Settled"].map(
        (title) => h("th", { scope: "col" }, title)))),
      h("tbody", null, refunds.map((refund) => h("tr", null,
        h("td", null, code(pick(refund, "refundOrderId", "refund_order_id"))),
        h("td", null, fen(refund.amount)),
        h("td", null, statusBadge(refund.status)),
        h("td", { class: "mk-mono" }, beijing(pick(refund, "createdAt", "created_at"))),
        h("td", { class: "mk-mono" }, beijing(pick(refund, "settledAt", "settled_at")))))))));
}
