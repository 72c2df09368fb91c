// After django-otp-webauthn registers a passkey, go where KQM says: the new recovery codes
// (a first second factor) or back to the account page. A file, so the CSP needs no inline script.
document.addEventListener("otp_webauthn.register_complete", (event) => {
  const answer = event.detail && event.detail.response;
  if (answer && answer.redirect_url) {
    window.location.assign(answer.redirect_url);
  }
});
