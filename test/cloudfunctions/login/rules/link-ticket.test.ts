import { isLinkTicket, linkTicketId, newLinkTicket } from '../../../../cloudfunctions/login/src/rules/link-ticket';

describe('link tickets', () => {
  const random = 'A'.repeat(43);

  it('given 32 random bytes, makes a well-formed ticket whose record id is its SHA-256', () => {
    const ticket = newLinkTicket(random);
    expect(isLinkTicket(ticket)).toBe(true);
    expect(linkTicketId(ticket)).toMatch(/^[0-9a-f]{64}$/);
    expect(linkTicketId(ticket)).not.toContain(random);
  });

  it('refuses a random source of the wrong size', () => {
    expect(() => newLinkTicket('short')).toThrow();
  });

  it.each([
    ['a number', 42],
    ['a short string', 'lt1_abc'],
    ['another prefix', `xx1_${random}`],
    ['a user id', 'id0001'],
  ])('given %s, is not a ticket', (_name, value) => {
    expect(isLinkTicket(value)).toBe(false);
  });
});
