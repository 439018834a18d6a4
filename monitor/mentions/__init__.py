"""What articles name: the scanners that find entities, instruments and listed parties, and co-mention logic."""
