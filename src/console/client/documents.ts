/// <reference lib="dom" />
// A statement's documents: buttons that ask the API for the statement as HTML, CSV or an Excel
// workbook (content negotiation by Accept), then offer the answer's bytes as the file to save.
import { downloadLink, el, problemOf, tr } from './common';

export interface DocumentFormat {
  readonly accept: string;
  readonly ext: string;
  readonly text: string;
}

/** The readable formats of a statement the API offers besides JSON. */
export function statementFormats(): DocumentFormat[] {
  return [
    { accept: 'text/html', ext: 'html', text: tr('可打印结算单（HTML）', 'Printable statement (HTML)') },
    { accept: 'text/csv', ext: 'csv', text: tr('结算单 CSV', 'Statement CSV') },
    { accept: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: 'xlsx', text: tr('结算单 Excel（.xlsx）', 'Statement Excel (.xlsx)') },
  ];
}

/**
 * A button that fetches the document (`request` sends it with `Accept: format.accept` and the
 * caller's key), then becomes the link that saves it and clicks it; a refusal is said in its place.
 */
export function documentButton(format: DocumentFormat, fileName: string, request: (accept: string) => Promise<Response>, attributes: Record<string, string> = {}): HTMLButtonElement {
  const button = el('button', { type: 'button', class: 'secondary', 'data-format': format.ext, ...attributes }, format.text);
  button.addEventListener('click', () => {
    button.disabled = true;
    void request(format.accept)
      .then(async (response) => {
        if (!response.ok) {
          const problem = problemOf(response.status, await response.text());
          button.replaceWith(el('span', { class: 'hint' }, response.status === 406 ? tr(`${format.ext} 格式此服务暂不提供`, `${format.ext} is not offered by this service`) : `${format.ext}: ${problem.detail ?? response.status}`));
          return;
        }
        const link = downloadLink(await response.blob(), fileName, format.accept, format.text);
        link.dataset['format'] = format.ext;
        button.replaceWith(link);
        link.click();
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  return button;
}
