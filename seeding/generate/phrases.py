"""Review sentences by star rating, so a comment's tone matches its rating ({noun}: what was bought;
worded so singular and plural nouns both read well)."""

OPENERS = {
    1: (
        "Terrible {noun}; stopped working after a week.",
        "Complete waste of money.",
        "Arrived broken and support never answered.",
        "Worst purchase I have made this year.",
        "Cheaply made {noun}; fell apart almost immediately.",
        "Stay away from the {noun}.",
        "Nothing like the pictures, and a strong chemical smell.",
    ),
    2: (
        "Disappointed with the {noun}.",
        "Works, but poor quality for the price.",
        "Not as described, and flimsy.",
        "Did the job for a while, then the problems started.",
        "Below my expectations, sadly.",
        "Looks cheap in person.",
    ),
    3: (
        "Okay {noun}, nothing special.",
        "Decent {noun} for the price, with a few flaws.",
        "Average quality; does what it says.",
        "Mixed feelings about the {noun}.",
        "Fine for everyday use, though the finish could be better.",
    ),
    4: (
        "Good {noun} for the money.",
        "Solid quality and quick delivery.",
        "Happy with the {noun}; a little room for improvement.",
        "Very good value for the price.",
        "Nicely made {noun}, everything I needed.",
    ),
    5: (
        "Excellent {noun}, beyond my expectations!",
        "Absolutely love the {noun}.",
        "Perfect: great quality and early delivery.",
        "Best {noun} I have owned.",
        "Outstanding {noun}, worth every penny.",
    ),
}

CLOSERS = {
    1: ("Returning it.", "Avoid.", "I want my money back.", "Never again."),
    2: ("Would not buy again.", "Expected better.", "Probably returning it."),
    3: ("It's fine.", "Might look for something better next time.", "Fair value."),
    4: ("Would recommend.", "I'd buy it again.", "Pleased overall."),
    5: ("Highly recommend!", "Five stars.", "Will definitely buy again."),
}
