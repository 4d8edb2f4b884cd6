"""compute-conductor: the DB holder the workers reach state through; runs builds."""
