/* Loaded on every page of the web application, right after viewflow's scripts. */
/* Plain page loads instead of Turbo Drive: downloads, status codes and the back button behave as users expect. */
if (window.Turbo) { window.Turbo.session.drive = false; }
