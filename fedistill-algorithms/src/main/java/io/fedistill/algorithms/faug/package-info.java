/**
 * FAug (Jeong et al. 2018): federated augmentation before federated distillation. Participants
 * upload a few seed samples of the labels they lack, hidden among samples of other labels; the
 * coordinator trains a conditional GAN on them; participants generate samples of their missing
 * labels and then run FD on the augmented data.
 */
package io.fedistill.algorithms.faug;
