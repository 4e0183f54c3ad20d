// One error group, drilled into from the top errors: how often and where it happened, and its
// latest occurrences, each with what the user did before it (breadcrumbs), its raw event and, when
// the session was recorded, its replay (session-replay.js). Read from the writer's query API.
import { cell, count, credentials, drawChart, field, fillTable, latestPlausibleTime, setText, showStatus, when, writerApi } from './page.js';
import { removeReplays, replayControls } from './session-replay.js';

let shownRequest = 0;

/** An error's title as a table cell, and a control that opens its group when it has one. */
export function groupLink(fingerprint, title) {
  const td = document.createElement('td');
  if (typeof fingerprint !== 'string' || fingerprint === '') {
    td.textContent = title || '(untitled)';
    return td;
  }
  const open = document.createElement('button');
  open.type = 'button';
  open.className = 'group-link';
  open.dataset.fingerprint = fingerprint;
  open.textContent = title || '(untitled)';
  open.addEventListener('click', () => showGroup(fingerprint));
  td.append(open);
  return td;
}

export function closeGroup() {
  shownRequest++;
  removeReplays(field('group-occurrences'));
  field('error-group').hidden = true;
}

async function showGroup(fingerprint) {
  const request = ++shownRequest;
  const range = { endTime: latestPlausibleTime() };
  try {
    const [group, occurrences] = await Promise.all([
      writerApi('/api/errors/groups/' + encodeURIComponent(fingerprint), { ...range, buckets: 60 }),
      writerApi('/api/errors/list', { ...range, fingerprint, pageSize: 5 }),
    ]);
    if (request !== shownRequest) return; // another group was asked for meanwhile
    const section = field('error-group');
    section.hidden = false;
    section.dataset.fingerprint = fingerprint;
    setText('group-type', group.type);
    setText('group-title', group.title || '(untitled)');
    setText('group-count', count(group.count));
    // Every stored occurrence, not only the window's: the writer finds events by the time the
    // browser gave them, on its index, where the window counts them by the time they arrived.
    setText('group-scope', 'all stored, not only the last ' + credentials().window
      + (group.newestOnly ? '; the newest ' + count(group.count) + ' counted' : ''));
    setText('group-first', when(group.firstSeen));
    setText('group-last', when(group.lastSeen));
    setText('group-sessions', count(group.sessions));
    setText('group-recordings', count(group.withRecording) + ' with a recording');
    const countCells = (row) => [cell(row.value === '' ? '(none)' : row.value), cell(count(row.count), 'number')];
    fillTable('group-pages', group.pages, 'None.', countCells);
    fillTable('group-browsers', group.browsers, 'None.', countCells);
    fillTable('group-systems', group.systems, 'None.', countCells);
    fillTable('group-devices', group.devices, 'None.', countCells);
    const timeline = group.timeline;
    drawChart('group-chart', ['occurrences'], [timeline.counts.map((_, i) => (timeline.start + i * timeline.bucketMillis) / 1000),
      timeline.counts]);
    showOccurrences(occurrences.list);
    section.scrollIntoView();
  } catch (error) {
    if (request === shownRequest) showStatus(error.message, true);
  }
}

function showOccurrences(list) {
  const container = field('group-occurrences');
  removeReplays(container);
  container.replaceChildren();
  for (const occurrence of list) {
    const article = document.createElement('article');
    article.className = 'occurrence';
    const heading = document.createElement('h4');
    heading.textContent = when(occurrence.time) + ' · ' + (occurrence.pageUrl || '') + ' · session ' + (occurrence.uuid || '–');
    article.append(heading);
    const trail = breadcrumbs(occurrence);
    if (typeof occurrence.recordScreenId === 'string' && occurrence.recordScreenId !== '') {
      article.append(replayControls(occurrence, trail));
    }
    article.append(trail, rawEvent(occurrence));
    container.append(article);
  }
}

// What the user did before the error, oldest first, as the SDK recorded it (at most 20 steps).
function breadcrumbs(occurrence) {
  const trail = document.createElement('table');
  trail.className = 'breadcrumbs';
  const head = trail.createTHead().insertRow();
  for (const name of ['Time', 'Category', 'What']) {
    const th = document.createElement('th');
    th.textContent = name;
    head.append(th);
  }
  const body = trail.createTBody();
  for (const crumb of Array.isArray(occurrence.breadcrumb) ? occurrence.breadcrumb : []) {
    const what = typeof crumb.data === 'string' ? crumb.data : JSON.stringify(crumb.data);
    const tr = document.createElement('tr');
    if (Number.isFinite(crumb.time)) tr.dataset.time = crumb.time;
    tr.append(cell(new Date(crumb.time).toLocaleTimeString()), cell(crumb.category || crumb.type || ''), cell(what || ''));
    body.append(tr);
  }
  return trail;
}

function rawEvent(occurrence) {
  const raw = document.createElement('details');
  const summary = document.createElement('summary');
  summary.textContent = 'Raw event';
  const pre = document.createElement('pre');
  pre.textContent = JSON.stringify(occurrence, null, 2);
  raw.append(summary, pre);
  return raw;
}

field('close-group').addEventListener('click', closeGroup);
