// Autosave for the audit scoring page. Progressive enhancement: without JavaScript the
// page's Save buttons post the whole subscale. With it, each item is saved as soon as it
// is scored (and its note shortly after typing stops), one request at a time, to a JSON
// endpoint. Every save sends the revision the page holds; if the audit changed meanwhile
// (another observer, another tab) the server answers 409 and we stop autosaving and say
// so, instead of overwriting someone else's scores.
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

  const sayItem = (item, text, state) => {
    const status = item.querySelector("[data-item-status]");
    status.textContent = text;
    status.classList.toggle("kqm-item__status--saved", state === "saved");
    status.classList.toggle("kqm-item__status--problem", state === "problem");
  };

  const sayPage = (text, problem = false) => {
    pageStatus.textContent = text;
    pageStatus.classList.toggle("kqm-save-status--problem", problem);
  };

  const stateOf = (item) => {
    const checked = item.querySelector("input[type='radio']:checked");
    const note = item.querySelector("textarea");
    return {
      item: Number(item.dataset.itemId),
      score: checked ? checked.value : "",
      note: note ? note.value : "",
      revision: Number(revision.value),
    };
  };

  const showProgress = (result) => {
    progress.value = result.answered;
    progressText.textContent = `${result.answered} of ${result.total} items answered`;
    const count = document.querySelector(`[data-subscale-count="${form.dataset.subscale}"]`);
    if (count) count.textContent = `(${result.subscale_answered}/${result.subscale_total})`;
  };

  const saveOne = async (item) => {
    sayItem(item, "Saving…", "saving");
    let response;
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
        body: JSON.stringify(stateOf(item)),
      });
      result = await response.json().catch(() => ({}));
    } catch (error) {
      sayItem(item, "Not saved: check your connection, then use the Save button.", "problem");
      sayPage("Some changes are not saved yet.", true);
      return;
    }
    if (response.ok) {
      revision.value = result.revision;
      sayItem(item, `Saved at ${result.saved_at}`, "saved");
      sayPage(`All changes saved at ${result.saved_at}.`);
      showProgress(result);
    } else if (response.status === 409) {
      stopped = true;
      pending.clear();
      sayItem(item, "Not saved: the audit changed meanwhile.", "problem");
      sayPage(result.error || "This audit changed meanwhile: reload the page.", true);
    } else {
      sayItem(item, `Not saved: ${result.error || "use the Save button."}`, "problem");
      sayPage("Some changes are not saved yet.", true);
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
