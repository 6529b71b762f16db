// The API docs' fixes (issue 13, items 2 and 6), loaded by typedoc on every API page (typedoc.json's
// customJs; copied to api/assets/custom.js). typedoc 0.28's own markup puts links inside <summary>
// (axe: nested-interactive, serious) and the content outside any landmark (landmark-one-main,
// region); and its toolbar links are written as given, so a relative link back to the handbook is
// made relative to each page here.
(() => {
  const root = document.documentElement;
  const base = root.dataset.base ?? './';

  // Landmarks: the content is the main landmark, the sidebar a complementary one, the toolbar the banner.
  const landmarks = () => {
    const content = document.querySelector('.col-content');
    if (content && !content.hasAttribute('role')) {
      content.setAttribute('role', 'main');
      content.id ||= 'main-content';
    }
    const sidebar = document.querySelector('.col-sidebar');
    if (sidebar && !sidebar.hasAttribute('role')) {
      sidebar.setAttribute('role', 'complementary');
      sidebar.setAttribute('aria-label', 'Contents and settings');
    }
    // Two navigation landmarks (the sidebar's links and its tree): each needs a name of its own.
    document.querySelector('#tsd-sidebar-links:not([aria-label])')?.setAttribute('aria-label', 'Links');
    const footer = document.querySelector('body > footer');
    if (footer && footer.childElementCount === 0 && footer.textContent.trim() === '') footer.remove();
  };

  // No link inside a <summary>: a heading's permalink goes (the heading keeps its id, so #name still
  // works); a navigation entry's link moves before its <details>, whose <summary> keeps the chevron
  // and gets a name of its own.
  const unnest = (scope) => {
    for (const summary of scope.querySelectorAll('summary')) {
      for (const link of summary.querySelectorAll('a[href]')) {
        if (link.classList.contains('tsd-anchor-icon')) {
          link.remove();
          continue;
        }
        const details = summary.parentElement;
        if (details?.tagName !== 'DETAILS' || !details.parentElement) continue;
        details.parentElement.insertBefore(link, details);
        details.parentElement.classList.add('a11y-branch');
        summary.setAttribute('aria-label', `${link.textContent.trim()}: members`);
      }
    }
  };

  // The way back to the handbook: the toolbar's "Handbook" link, relative to this page.
  const handbook = () => {
    for (const link of document.querySelectorAll('#tsd-toolbar-links a')) {
      if (link.getAttribute('href') === '../index.html') link.setAttribute('href', `${base}../index.html`);
    }
  };

  const fix = () => {
    landmarks();
    unnest(document);
    handbook();
  };
  fix();
  // typedoc's navigation.js builds the sidebar's tree later, from its own data: fix it as it comes.
  new MutationObserver((records) => {
    for (const record of records) for (const node of record.addedNodes) if (node.nodeType === 1) unnest(node);
  }).observe(document.body, { childList: true, subtree: true });
})();
