// Progressive enhancement for the Ofsted import's progress page: without JavaScript the
// page refreshes itself (a <noscript> meta refresh); with it, the bar moves in place by
// polling the import's JSON status, and the page reloads once the step has finished.
const panel = document.querySelector("[data-import-status-url]");

if (panel) {
  const url = panel.dataset.importStatusUrl;
  const bar = panel.querySelector("progress");
  const text = panel.querySelector("[data-progress-text]");

  const poll = async () => {
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const status = await response.json();
        if (!status.in_progress) {
          window.location.reload();
          return;
        }
        bar.value = status.percent;
        bar.textContent = `${status.percent}%`;
        text.textContent = `${status.message} (${status.percent}%)`;
      }
    } catch (error) {
      // A dropped request is retried on the next tick.
    }
    window.setTimeout(poll, 1500);
  };

  window.setTimeout(poll, 1500);
}
