// One error group, drilled into from the top errors: how often and where it happened, and its
// latest occurrences, each with what the user did before it (breadcrumbs), its raw event and, when
// the session was recorded, its replay (session-replay.js). Read from the writer's query API.
import { cell, count, credentials, drawChart, field, fillTable, latestPlausibleTime, setText, shortened, showStatus, when, writerApi }
  from './page.js';
import { removeReplays, replayControls } from './session-replay.js';

const OCCURRENCES_PAGE = 5;
// The SDK keeps 20 steps; a hostile event may hold tens of thousands: the latest are what led to the error.
const MAX_BREADCRUMBS = 100;
let shownRequest = 0;
// The cursor of the shown group's older occurrences, and the occurrence it was opened from.
let olderOccurrences = null;

/**
 * An error's title as a table cell, and a control that opens its group when it has one; opened from
 * one occurrence ({@code chosen}, an event of the errors list), the group shows it first.
 */
export function groupLink(fingerprint, title, chosen) {
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
  open.addEventListener('click', () => showGroup(fingerprint, chosen));
  td.append(open);
  return td;
}

export function closeGroup() {
  shownRequest++;
  olderOccurrences = null;
  removeReplays(field('group-occurrences'));
  field('error-group').hidden = true;
}

async function showGroup(fingerprint, chosen) {
  const request = ++shownRequest;
  // The shown group's older occurrences are not read on under another group.
  olderOccurrences = null;
  field('group-older').hidden = true;
  const range = { endTime: latestPlausibleTime() };
  try {
    const [group, occurrences] = await Promise.all([
      writerApi('/api/errors/groups/' + encodeURIComponent(fingerprint), { ...range, buckets: 60 }),
      writerApi('/api/errors/list', { ...range, fingerprint, pageSize: OCCURRENCES_PAGE }),
    ]);
    if (request !== shownRequest) return; // another group was asked for meanwhile
    const section = field('error-group');
    section.hidden = false;
    section.dataset.fingerprint = fingerprint;
    setText('group-type', group.type);
    setText('group-title', shortened(group.title || '(untitled)'));
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
    // The occurrence the group was opened from comes first, then the latest others.
    const latest = occurrences.list.filter((occurrence) => !chosen || occurrence.id !== chosen.id);
    const container = field('group-occurrences');
    removeReplays(container);
    container.replaceChildren();
    showOccurrences(chosen ? [chosen, ...latest] : latest, chosen);
    olderOccurrences = { fingerprint, range, after: occurrences.next || null, chosen };
    field('group-older').hidden = !olderOccurrences.after;
    if (container.children.length === 0) {
      const none = document.createElement('p');
      none.className = 'empty';
      none.textContent = 'No occurrence dated before ' + when(range.endTime) + ' by the browser\'s clock.';
      container.append(none);
    }
    field('group-heading').focus();
    section.scrollIntoView();
  } catch (error) {
    if (request === shownRequest) showStatus(error.message, true);
  }
}

async function showOlderOccurrences() {
  const older = olderOccurrences;
  if (!older || !older.after) return;
  const request = shownRequest;
  field('group-older').disabled = true;
  try {
    const page = await writerApi('/api/errors/list', { ...older.range, fingerprint: older.fingerprint, pageSize: OCCURRENCES_PAGE,
      after: older.after });
    if (request !== shownRequest || olderOccurrences !== older) return; // another group meanwhile
    showOccurrences(page.list.filter((occurrence) => !older.chosen || occurrence.id !== older.chosen.id));
    older.after = page.next || null;
    field('group-older').hidden = !older.after;
  } catch (error) {
    if (request === shownRequest) showStatus(error.message, true);
  } finally {
    field('group-older').disabled = false;
  }
}

function showOccurrences(list, chosen) {
  const container = field('group-occurrences');
  for (const occurrence of list) {
    const article = document.createElement('article');
    article.className = 'occurrence' + (chosen && occurrence === chosen ? ' chosen' : '');
    const heading = document.createElement('h4');
    heading.textContent = (chosen && occurrence === chosen ? 'The error you opened · ' : '') + when(occurrence.time) + ' · '
      + shortened(occurrence.pageUrl || '') + ' · session ' + shortened(occurrence.uuid || '–');
    article.append(heading);
    const trail = breadcrumbs(occurrence);
    if (typeof occurrence.recordScreenId === 'string' && occurrence.recordScreenId !== '') {
      article.append(replayControls(occurrence, trail));
    }
    article.append(trail, rawEvent(occurrence));
    container.append(article);
  }
}

// What the user did before the error, oldest first, as the SDK recorded it (at most 20 steps; the
// last MAX_BREADCRUMBS of a longer trail).
function breadcrumbs(occurrence) {
  const trail = document.createElement('table');
  trail.className = 'breadcrumbs';
  const head = trail.createTHead().insertRow();
  for (const name of ['Time (yours)', 'Category', 'What']) {
    const th = document.createElement('th');
    th.textContent = name;
    head.append(th);
  }
  const body = trail.createTBody();
  const steps = Array.isArray(occurrence.breadcrumb) ? occurrence.breadcrumb : [];
  if (steps.length > MAX_BREADCRUMBS) {
    const tr = document.createElement('tr');
    const td = cell(count(steps.length - MAX_BREADCRUMBS) + ' earlier steps not shown (the raw event holds them)', 'empty');
    td.colSpan = 3;
    tr.append(td);
    body.append(tr);
  }
  for (const crumb of steps.slice(-MAX_BREADCRUMBS)) {
    if (!crumb || typeof crumb !== 'object') continue;
    const what = typeof crumb.data === 'string' ? crumb.data : JSON.stringify(crumb.data);
    const tr = document.createElement('tr');
    const timed = Number.isFinite(crumb.time);
    if (timed) tr.dataset.time = crumb.time;
    tr.append(cell(timed ? new Date(crumb.time).toLocaleTimeString() : '–'), cell(crumb.category || crumb.type || ''), cell(what || ''));
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
field('group-older').addEventListener('click', showOlderOccurrences);
