// Autosave for the audit scoring page. Progressive enhancement: without JavaScript the
// page's Save buttons post the whole subscale. With it, each item is saved as soon as it
// is scored (and its note shortly after typing stops), one request at a time, to a JSON
// endpoint. Every save sends what the page showed for that item (its "base"): the server
// checks that one item only, so two observers scoring different items both save. If
// someone else changed the same item meanwhile, the server answers 409 with their value:
// it is shown beside the item, the answer typed here stays on the page, and choosing it
// again replaces theirs. A save of one's own (another tab, a reload) is never a conflict.
import { saveAnnouncer } from "./announce.js";

const form = document.querySelector("form.kqm-score-form[data-autosave-url]");

if (form) {
  const url = form.dataset.autosaveUrl;
  const revision = form.querySelector("input[name='revision']");
  const csrf = form.querySelector("input[name='csrfmiddlewaretoken']").value;
  const pageStatus = document.querySelector("[data-save-status]");
  const progress = document.querySelector("#audit-progress-bar");
  const progressText = document.querySelector("[data-progress-text]");
  const NOTE_DELAY = 1000;
  const pending = new Set();
  const noteTimers = new Map();
  let running = null;
  let stopped = false;
  let submitting = false;

  const itemOf = (element) => element.closest(".kqm-item[data-item-id]");
  const bases = new Map();

  const sayItem = (item, text, state) => {
    const status = item.querySelector("[data-item-status]");
    status.textContent = text;
    status.classList.toggle("kqm-item__status--saved", state === "saved");
    status.classList.toggle("kqm-item__status--problem", state === "problem");
  };

  const sayPage = saveAnnouncer(pageStatus, "kqm-save-status--problem");

  const answerOf = (item) => {
    const checked = item.querySelector("input[type='radio']:checked");
    const note = item.querySelector("textarea");
    return { score: checked ? checked.value : "", note: note ? note.value : "" };
  };
  form.querySelectorAll(".kqm-item[data-item-id]").forEach((item) => {
    bases.set(item, answerOf(item));
  });

  const stateOf = (item) => ({
    item: Number(item.dataset.itemId),
    ...answerOf(item),
    base: bases.get(item),
    revision: Number(revision.value),
  });

  const showProgress = (result) => {
    progress.value = result.answered;
    progressText.textContent = `${result.answered} of ${result.total} items answered`;
    const count = document.querySelector(`[data-subscale-count="${form.dataset.subscale}"]`);
    if (count) count.textContent = `(${result.subscale_answered}/${result.subscale_total})`;
  };

  const saveOne = async (item) => {
    sayItem(item, "Saving…", "saving");
    let response;
    let sent;
    let result = {};
    try {
      response = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrf,
        },
        body: JSON.stringify((sent = stateOf(item))),
      });
      result = await response.json().catch(() => ({}));
    } catch (error) {
      sayItem(item, "Not saved: check your connection, then use the Save button.", "problem");
      sayPage("Some changes are not saved yet.", { alert: true });
      return;
    }
    if (response.ok) {
      bases.set(item, { score: sent.score, note: sent.note });
      revision.value = result.revision;
      sayItem(item, `Saved at ${result.saved_at}`, "saved");
      sayPage(`All changes saved at ${result.saved_at}.`);
      showProgress(result);
    } else if (response.status === 409 && result.theirs) {
      // Someone else changed this item: show their value; keep ours on the page.
      bases.set(item, { score: result.theirs.score, note: result.theirs.note });
      item.dataset.conflict = "1";
      sayItem(
        item,
        `Not saved: ${result.theirs.by} scored this ${result.theirs.value} meanwhile` +
          (result.theirs.note ? ` (note: “${result.theirs.note}”)` : "") +
          ". Your answer is still here: choose it again to replace theirs.",
        "problem",
      );
      sayPage("One item was changed by someone else: see the item.", { alert: true });
    } else if (response.status === 409) {
      stopped = true;
      pending.clear();
      sayItem(item, "Not saved: the audit changed meanwhile.", "problem");
      sayPage(result.error || "This audit changed meanwhile: reload the page.", { alert: true });
    } else {
      sayItem(item, `Not saved: ${result.error || "use the Save button."}`, "problem");
      sayPage("Some changes are not saved yet.", { alert: true });
    }
  };

  // One request at a time, so each carries the revision the previous one returned.
  const drain = () => {
    if (running) return running;
    running = (async () => {
      while (pending.size && !stopped) {
        const [item] = pending;
        pending.delete(item);
        await saveOne(item);
      }
      running = null;
    })();
    return running;
  };

  const queue = (item) => {
    if (stopped) return;
    pending.add(item);
    drain();
  };

  form.addEventListener("change", (event) => {
    if (event.target.matches("input[type='radio']")) queue(itemOf(event.target));
  });
  // After a conflict, choosing the same answer again (no "change") replaces theirs.
  form.addEventListener("click", (event) => {
    if (!event.target.matches("input[type='radio']")) return;
    const item = itemOf(event.target);
    if (item.dataset.conflict === "1" && event.target.checked) {
      delete item.dataset.conflict;
      queue(item);
    }
  });
  form.addEventListener("input", (event) => {
    if (!event.target.matches("textarea")) return;
    const item = itemOf(event.target);
    sayItem(item, "Not saved yet", "saving");
    window.clearTimeout(noteTimers.get(item));
    noteTimers.set(item, window.setTimeout(() => queue(item), NOTE_DELAY));
  });
  form.addEventListener("focusout", (event) => {
    if (!event.target.matches("textarea")) return;
    const item = itemOf(event.target);
    if (noteTimers.has(item)) {
      window.clearTimeout(noteTimers.get(item));
      noteTimers.delete(item);
      queue(item);
    }
  });
  // A plain submit waits for saves in flight, so it sends the latest revision.
  form.addEventListener("submit", (event) => {
    if (submitting || stopped) return;
    for (const [item, timer] of noteTimers) {
      window.clearTimeout(timer);
      pending.add(item);
    }
    noteTimers.clear();
    if (!running && !pending.size) return;
    event.preventDefault();
    const submitter = event.submitter;
    drain().then(() => {
      submitting = true;
      form.requestSubmit(submitter);
    });
  });
}
