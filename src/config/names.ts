/**
 * A name that fits the configuration's names (a letter first, then lowercase letters, digits and
 * '-', at most `max` characters), made from any text: a folder, a Compose service or an ECS
 * container name. `My_Shop.v2` → `my-shop-v2`; '' when no letter is left.
 */
export function toName(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, max)
    .replace(/-+$/, '');
}
