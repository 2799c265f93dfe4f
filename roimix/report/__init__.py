"""Plans in words (the shell): the optimizer's and the campaign planner's results and messages rendered with
:mod:`roimix.text`, in Chinese or English. The libraries produce keys and values (:class:`optimizer.explain.Message`)
and never import this package or the text."""
