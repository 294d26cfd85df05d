"""Vocabulary for the synthetic scenes (plain English words, no commas)."""
WORDS = """
open close coffee bakery street market garden hotel station river city
north south east west music cinema theatre museum library school park
fresh bread pizza pasta noodle grill burger sushi tea juice water fruit
sale discount price free today only new best quality service centre
bank post office pharmacy hospital clinic dental beauty salon barber
fashion shoes books games toys sport fitness yoga dance studio gallery
welcome exit entrance parking taxi airport harbour bridge tower castle
green red blue yellow orange purple silver golden black white bright
morning evening night summer winter spring autumn holiday festival
kitchen house home family friends happy lucky smile sunshine rainbow
ocean island mountain forest valley desert lake beach harbor village
royal grand central union liberty victory heritage classic modern
express global digital smart cloud energy power motor auto garage
repair wash clean laundry tailor florist flowers plants organic farm
wine beer bar pub lounge club cafe diner bistro kebab taco curry
snake text detector model curve wave arc line letter word sign board
travel tours tickets cruise voyage camp lodge inn motel resort spa
print copy photo camera video phone mobile computer store shop mall
jazz rock blues radio stage show cinema drama story poem novel
""".split()
