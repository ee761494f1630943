/** WeChat: scrolls the page so the element with this id is at the top (base library 2.7.3+). */
import Taro from '@tarojs/taro'

export function scrollToElement(id: string): void {
  setTimeout(() => {
    Taro.pageScrollTo({ selector: `#${id}`, offsetTop: -80, duration: 200 }).catch(() => undefined)
  }, 0)
}
