"""Generation on a Ray cluster, with the desktop's queue as the only source of truth.

The desktop runs a :class:`~studio.cluster.dispatcher.ClusterWorker` in place of the
local worker: it claims ready jobs from the workspace's queue, sends each to a Ray actor
(:mod:`studio.cluster.node`) that holds the loaded models, and stores what comes back in
the same short transaction that marks the job done, as the local worker does. Actors
compute only: they read a snapshot of the workspace and the files a job needs, which
travel with the jobs (:mod:`studio.cluster.transfer`), and never write to it.

Ray is an optional extra (``campaign-studio[cluster]``); nothing here imports it until a
cluster is asked for.
"""
